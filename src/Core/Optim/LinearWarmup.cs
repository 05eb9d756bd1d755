namespace TensorGrad.Optim;

/// <summary>
/// Ramps the learning rate linearly up to the base rate over the first <see cref="WarmupSteps"/>
/// iterations, <c>lr₀·(t + 1)/W</c>, then holds it. Step 0 already trains (at lr₀/W), and
/// the full rate is reached at step W - 1.
/// </summary>
public sealed class LinearWarmup : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer; its current learning rate is the rate reached after warm-up.</param>
    /// <param name="warmupSteps">Length W of the ramp in iterations, &gt; 0.</param>
    public LinearWarmup(Optimizer optimizer, int warmupSteps)
        : base(optimizer)
    {
        Require(warmupSteps > 0, warmupSteps, nameof(warmupSteps), "> 0");
        WarmupSteps = warmupSteps;
        Start();
    }

    /// <summary>Length of the ramp in iterations.</summary>
    public int WarmupSteps { get; }

    /// <inheritdoc />
    public override double LearningRateAt(int step) => Ramp(BaseLearningRate, step, WarmupSteps);

    /// <summary><c>peak·(t + 1)/length</c> during the ramp, <paramref name="peak"/> after it.</summary>
    internal static double Ramp(double peak, int t, int length) => peak * Math.Min(Math.Max(t, 0) + 1, length) / length;
}
