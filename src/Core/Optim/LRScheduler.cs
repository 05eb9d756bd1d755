namespace TensorGrad.Optim;

/// <summary>
/// Sets an optimizer's learning rate from a schedule over iterations. Construction sets the
/// rate for step 0; call <see cref="Step"/> once per iteration, after <see cref="Optimizer.Step"/>,
/// to move to the next. <see cref="LearningRateAt"/> gives the schedule's value at any step.
/// </summary>
public abstract class LRScheduler
{
    private int stepCount;

    /// <summary>Keeps <paramref name="optimizer"/> and its current learning rate as the base rate.</summary>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate is scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The optimizer's learning rate when the scheduler was made: the peak of most schedules.</summary>
    public double BaseLearningRate { get; }

    /// <summary>
    /// Iterations stepped so far; the current rate is <c>LearningRateAt(StepCount)</c>. Setting it
    /// (to resume from a checkpoint) also sets the optimizer's learning rate for that step.
    /// </summary>
    public int StepCount
    {
        get => stepCount;
        set
        {
            Validate.Require(value >= 0, value, nameof(StepCount), GetType().Name, ">= 0");
            stepCount = value;
            Optimizer.LearningRate = LearningRateAt(value);
        }
    }

    /// <summary>The learning rate in effect now.</summary>
    public double LearningRate => Optimizer.LearningRate;

    /// <summary>The schedule's learning rate at iteration <paramref name="step"/> (0-based).</summary>
    public abstract double LearningRateAt(int step);

    /// <summary>Advances one iteration and sets the optimizer's learning rate for it.</summary>
    public void Step() => StepCount++;

    /// <summary>Sets the rate for step 0; derived constructors call it once their settings are validated.</summary>
    protected void Start() => StepCount = 0;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the rule when <paramref name="valid"/> is false.</summary>
    protected void Require(bool valid, double value, string paramName, string rule) => Validate.Require(valid, value, paramName, GetType().Name, rule);
}
