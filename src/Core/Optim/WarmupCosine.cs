namespace TensorGrad.Optim;

/// <summary>
/// Linear warm-up to the base rate over <see cref="WarmupSteps"/> iterations, then cosine
/// annealing to <see cref="MinLearningRate"/> at <see cref="TotalSteps"/>: the usual schedule for
/// training with Adam/AdamW from scratch.
/// </summary>
public sealed class WarmupCosine : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer; its current learning rate is the peak rate.</param>
    /// <param name="warmupSteps">Length of the linear ramp, &gt;= 0 (0 starts at the peak).</param>
    /// <param name="totalSteps">Iteration at which the minimum is reached, &gt; <paramref name="warmupSteps"/>.</param>
    /// <param name="minLearningRate">Final rate, in [0, peak rate].</param>
    public WarmupCosine(Optimizer optimizer, int warmupSteps, int totalSteps, double minLearningRate = 0)
        : base(optimizer)
    {
        Require(warmupSteps >= 0, warmupSteps, nameof(warmupSteps), ">= 0");
        Require(totalSteps > warmupSteps, totalSteps, nameof(totalSteps), $"> warmupSteps ({warmupSteps})");
        Require(minLearningRate >= 0 && minLearningRate <= BaseLearningRate, minLearningRate, nameof(minLearningRate), $"in [0, {BaseLearningRate}] (the peak rate)");
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        MinLearningRate = minLearningRate;
        Start();
    }

    /// <summary>Length of the linear ramp.</summary>
    public int WarmupSteps { get; }

    /// <summary>Iteration at which the minimum is reached.</summary>
    public int TotalSteps { get; }

    /// <summary>The rate reached at the end.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc />
    public override double LearningRateAt(int step) => step < WarmupSteps
        ? LinearWarmup.Ramp(BaseLearningRate, step, WarmupSteps)
        : CosineAnnealing.Cosine(BaseLearningRate, MinLearningRate, step - WarmupSteps, TotalSteps - WarmupSteps);
}
