using TensorGrad;
using TensorGrad.Data;
using TensorGrad.Metrics;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace LrSweepExample;

/// <summary>How the learning rate moves during a run.</summary>
internal enum Schedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,

    /// <summary>Cosine annealing to 0 from the first step (WarmupCosine with no warm-up).</summary>
    Cosine,

    /// <summary>Linear warm-up over the first 10 % of the steps, then cosine annealing to 0 (WarmupCosine).</summary>
    WarmupCosine,
}

/// <summary>One training run of the sweep.</summary>
/// <param name="LearningRate">Peak SGD rate.</param>
/// <param name="BatchSize">Samples per forward/backward pass.</param>
/// <param name="Accumulation">Micro-batches whose gradients are added before each optimizer step (1: none).</param>
/// <param name="Schedule">The learning-rate schedule.</param>
internal sealed record Setting(double LearningRate, int BatchSize, int Accumulation = 1, Schedule Schedule = Schedule.Constant)
{
    /// <summary>Samples per optimizer step.</summary>
    public int EffectiveBatch => BatchSize * Accumulation;

    /// <summary>A short description, e.g. "lr 0.1, batch 64 × 8 accumulated, warm-up + cosine".</summary>
    public string Label => $"lr {LearningRate:G}, batch {BatchSize}{(Accumulation > 1 ? $" × {Accumulation} accumulated" : "")}{Schedule switch
    {
        Schedule.Cosine => ", cosine",
        Schedule.WarmupCosine => ", warm-up + cosine",
        _ => "",
    }}";
}

/// <summary>The outcome of a run.</summary>
/// <param name="Setting">What was run.</param>
/// <param name="Samples">Thousands of training samples seen at each point of <paramref name="Losses"/>.</param>
/// <param name="Losses">Mean training loss over each stretch of about 1,024 samples (a last, shorter stretch of under 512 is left out; the last point is NaN when the run diverged).</param>
/// <param name="InitialLoss">The loss of the initial weights on the first 2,048 training digits (the same for every run).</param>
/// <param name="FinalLoss">Mean training loss over the last 5 % of the samples, NaN when diverged.</param>
/// <param name="PeakLoss">The largest finite training loss of a step.</param>
/// <param name="DivergedAt">Samples seen when the loss became NaN or infinite, or null.</param>
/// <param name="TestLoss">Loss on the test digits (NaN when diverged).</param>
/// <param name="TestAccuracy">Accuracy on the test digits (NaN when diverged).</param>
/// <param name="Seconds">Training time.</param>
internal sealed record Outcome(Setting Setting, List<double> Samples, List<double> Losses, double InitialLoss, double FinalLoss, double PeakLoss, int? DivergedAt, double TestLoss, double TestAccuracy, double Seconds)
{
    /// <summary>NaN or infinite loss, or a final loss above the initial one.</summary>
    public bool Diverged => DivergedAt is not null || !(FinalLoss <= InitialLoss);

    /// <summary>Not diverged, but not learning either: the final loss is above half the initial one (typically dead ReLUs after a blow-up).</summary>
    public bool Stalled => !Diverged && FinalLoss > 0.5 * InitialLoss;
}

/// <summary>Trains 784-128-10 (ReLU) MLPs with SGD (momentum 0.9) on a fixed number of samples.</summary>
internal sealed class Sweep(MnistData data, int samples, int seed)
{
    private const int Hidden = 128;
    private const int CurveStretch = 1024;
    private readonly (Tensor Features, Tensor Targets) test = data.Test.ToTensors();
    private readonly (Tensor Features, Tensor Targets) reference = data.Train.Slice(0, Math.Min(2048, data.Train.Count)).ToTensors();

    /// <summary>Training samples every run sees.</summary>
    public int SampleCount => samples;

    /// <summary>Trains one setting from the same initial weights and data order as every other.</summary>
    public Outcome Run(Setting setting)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Init.ManualSeed(seed);
        var model = new Sequential(new Linear(28 * 28, Hidden), new ReLU(), new Linear(Hidden, 10));
        var optimizer = new Sgd(model.Parameters(), lr: setting.LearningRate, momentum: 0.9);
        int steps = samples / setting.EffectiveBatch;
        LRScheduler? schedule = setting.Schedule switch
        {
            Schedule.Cosine => new WarmupCosine(optimizer, warmupSteps: 0, totalSteps: steps),
            Schedule.WarmupCosine => new WarmupCosine(optimizer, warmupSteps: Math.Max(1, steps / 10), totalSteps: steps),
            _ => null,
        };

        double initial = Evaluate(model, reference).Loss;
        model.Train();
        using var loader = new DataLoader(data.Train, setting.BatchSize, shuffle: true, seed: seed, dropLast: true);
        var xs = new List<double>();
        var ys = new List<double>();
        var stepLosses = new List<double>();
        double stretchSum = 0;
        int stretchRows = 0, seen = 0, step = 0, micro = 0;
        int? divergedAt = null;
        double stepLoss = 0;
        optimizer.ZeroGrad();
        while (step < steps && divergedAt is null)
        {
            // An epoch of micro-batches; the batches that do not fill a whole step at its end are skipped.
            int usable = loader.BatchCount / setting.Accumulation * setting.Accumulation, index = 0;
            foreach (var (x, y) in loader)
            {
                if (index++ >= usable)
                {
                    continue;
                }

                using var tape = Tape.Begin();
                var loss = Loss.CrossEntropy(model.Forward(x), y);
                (setting.Accumulation == 1 ? loss : loss / setting.Accumulation).Backward();
                double value = loss.Item();
                stepLoss += value / setting.Accumulation;
                if (++micro < setting.Accumulation)
                {
                    continue;
                }

                optimizer.Step();
                schedule?.Step();
                optimizer.ZeroGrad();
                micro = 0;
                seen += setting.EffectiveBatch;
                stepLosses.Add(stepLoss);
                stretchSum += stepLoss * setting.EffectiveBatch;
                stretchRows += setting.EffectiveBatch;
                if (!double.IsFinite(stepLoss))
                {
                    divergedAt = seen;
                    xs.Add(seen / 1000.0);
                    ys.Add(double.NaN);
                    break;
                }

                if (stretchRows >= CurveStretch || (step == steps - 1 && stretchRows >= CurveStretch / 2))
                {
                    xs.Add(seen / 1000.0);
                    ys.Add(stretchSum / stretchRows);
                    (stretchSum, stretchRows) = (0, 0);
                }

                stepLoss = 0;
                if (++step == steps)
                {
                    break;
                }
            }
        }

        double final = divergedAt is null ? stepLosses.TakeLast(Math.Max(1, stepLosses.Count / 20)).Average() : double.NaN;
        double seconds = clock.Elapsed.TotalSeconds;
        var (testLoss, testAccuracy) = divergedAt is null ? Evaluate(model, test) : (double.NaN, double.NaN);
        double peak = stepLosses.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        return new Outcome(setting, xs, ys, initial, final, peak, divergedAt, testLoss, testAccuracy, seconds);
    }

    private static (double Loss, double Accuracy) Evaluate(Sequential model, (Tensor Features, Tensor Targets) split)
    {
        model.Eval();
        using var tape = Tape.Begin(recordGradients: false);
        var logits = model.Forward(split.Features);
        return (Loss.CrossEntropy(logits, split.Targets).Item(), Accuracy.Of(logits, split.Targets));
    }
}
