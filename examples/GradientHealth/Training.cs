using TensorGrad;
using TensorGrad.Data;
using TensorGrad.Diagnostics;
using TensorGrad.Metrics;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace GradientHealthExample;

/// <summary>What a run left behind: the loss of every step (NaN after it diverged) and the pre-clip gradient norms.</summary>
/// <param name="Losses">Training loss per step; NaN for steps not taken after a divergence.</param>
/// <param name="GradientNorms">Global gradient norm per step before any clipping.</param>
/// <param name="DivergedAt">The first step whose loss was NaN or infinite, or null.</param>
internal sealed record RunResult(double[] Losses, double[] GradientNorms, int? DivergedAt)
{
    /// <summary>The mean loss of the last <paramref name="count"/> steps taken (to smooth the batch noise).</summary>
    public double FinalLoss(int count = 20)
    {
        var taken = Losses.Where(double.IsFinite).ToArray();
        return DivergedAt is null && taken.Length > 0 ? taken.TakeLast(count).Average() : double.NaN;
    }
}

/// <summary>Builds the networks and trains them step by step.</summary>
internal static class Training
{
    /// <summary>Pixels per flattened 28×28 digit.</summary>
    public const int Pixels = 28 * 28;

    /// <summary>Digit classes.</summary>
    public const int Classes = 10;

    /// <summary>
    /// 784 → <paramref name="depth"/> hidden layers of <paramref name="width"/> → 10, each hidden
    /// layer followed by <paramref name="activation"/>. Without <paramref name="initializeWeight"/>
    /// the layers keep PyTorch's default initialization; with it, it overwrites each weight and the
    /// biases are zeroed.
    /// </summary>
    public static Sequential Mlp(int depth, int width, Func<Module> activation, Action<Tensor>? initializeWeight = null)
    {
        var model = new Sequential();
        int inputs = Pixels;
        for (int i = 0; i < depth; i++)
        {
            model.Add(new Linear(inputs, width));
            model.Add(activation());
            inputs = width;
        }

        model.Add(new Linear(inputs, Classes));
        if (initializeWeight is not null)
        {
            foreach (var linear in model.NamedModules().Select(m => m.Module).OfType<Linear>())
            {
                initializeWeight(linear.Weight);
                if (linear.Bias is { } bias)
                {
                    Init.Zeros(bias);
                }
            }
        }

        return model;
    }

    /// <summary>
    /// Trains <paramref name="steps"/> SGD steps on batches of <paramref name="loader"/> (each
    /// enumeration is a new epoch). Clips the global gradient norm to <paramref name="clip"/> when given, records
    /// <paramref name="monitor"/> after each step and calls <paramref name="afterStep"/> while the
    /// gradients are still there. Stops at the first non-finite loss.
    /// </summary>
    public static RunResult Run(Sequential model, Optimizer optimizer, DataLoader loader, int steps, double? clip = null, GradientMonitor? monitor = null, Action<int>? afterStep = null)
    {
        var losses = Enumerable.Repeat(double.NaN, steps).ToArray();
        var norms = Enumerable.Repeat(double.NaN, steps).ToArray();
        var parameters = model.Parameters();
        model.Train();
        int step = 0;
        while (step < steps)
        {
            foreach (var (x, y) in loader)
            {
                using var tape = Tape.Begin();
                var loss = Loss.CrossEntropy(model.Forward(x), y);
                optimizer.ZeroGrad();
                loss.Backward();
                norms[step] = clip is { } maxNorm ? GradClip.ClipByGlobalNorm(parameters, maxNorm) : GradClip.GlobalNorm(parameters);
                optimizer.Step();
                losses[step] = loss.Item();
                monitor?.Record();
                afterStep?.Invoke(step);
                if (!double.IsFinite(losses[step]))
                {
                    return new RunResult(losses, norms, step);
                }

                if (++step == steps)
                {
                    break;
                }
            }
        }

        return new RunResult(losses, norms, null);
    }

    /// <summary>Test accuracy of <paramref name="model"/> on all of <paramref name="features"/>.</summary>
    public static double TestAccuracy(Sequential model, Tensor features, Tensor targets)
    {
        model.Eval();
        using var tape = Tape.Begin(recordGradients: false);
        return Accuracy.Of(model.Forward(features), targets);
    }
}
