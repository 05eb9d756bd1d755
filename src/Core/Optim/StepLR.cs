namespace TensorGrad.Optim;

/// <summary>Multiplies the learning rate by <see cref="Gamma"/> every <see cref="StepSize"/> iterations: <c>lr₀·γ^⌊t/stepSize⌋</c>.</summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer; its current learning rate is the starting rate.</param>
    /// <param name="stepSize">Iterations between decays, &gt; 0.</param>
    /// <param name="gamma">Decay factor, in (0, 1].</param>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        Require(stepSize > 0, stepSize, nameof(stepSize), "> 0");
        Require(gamma is > 0 and <= 1, gamma, nameof(gamma), "in (0, 1]");
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    /// <summary>Iterations between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public override double LearningRateAt(int step) => BaseLearningRate * Math.Pow(Gamma, Math.Max(step, 0) / StepSize);
}
