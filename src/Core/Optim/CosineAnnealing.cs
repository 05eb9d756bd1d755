namespace TensorGrad.Optim;

/// <summary>
/// Cosine annealing from the base rate to <see cref="MinLearningRate"/> over <see cref="Steps"/>
/// iterations, <c>min + (lr₀ - min)·(1 + cos(π·t/T))/2</c>, then held at the minimum
/// (PyTorch's <c>CosineAnnealingLR</c> without restarts).
/// </summary>
public sealed class CosineAnnealing : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer; its current learning rate is the starting rate.</param>
    /// <param name="steps">Length T of the annealing, in iterations, &gt; 0.</param>
    /// <param name="minLearningRate">Final rate, in [0, base rate].</param>
    public CosineAnnealing(Optimizer optimizer, int steps, double minLearningRate = 0)
        : base(optimizer)
    {
        Require(steps > 0, steps, nameof(steps), "> 0");
        Require(minLearningRate >= 0 && minLearningRate <= BaseLearningRate, minLearningRate, nameof(minLearningRate), $"in [0, {BaseLearningRate}] (the base rate)");
        Steps = steps;
        MinLearningRate = minLearningRate;
        Start();
    }

    /// <summary>Length of the annealing in iterations.</summary>
    public int Steps { get; }

    /// <summary>The rate reached at the end.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc />
    public override double LearningRateAt(int step) => Cosine(BaseLearningRate, MinLearningRate, step, Steps);

    /// <summary>The cosine curve from <paramref name="peak"/> at t = 0 to <paramref name="floor"/> at t ≥ <paramref name="length"/>.</summary>
    internal static double Cosine(double peak, double floor, int t, int length)
    {
        double progress = Math.Clamp((double)t / length, 0, 1);
        return floor + ((peak - floor) * (1 + Math.Cos(Math.PI * progress)) / 2);
    }
}
