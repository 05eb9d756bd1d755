using Spectre.Console;
using TensorGrad.Examples.Common;

namespace MnistExample;

/// <summary>
/// Console output during training: a live progress bar per epoch on a terminal, and one summary
/// line per epoch everywhere (also when the output is redirected or in CI, where the bar is left out).
/// </summary>
internal static class Display
{
    /// <summary>
    /// True when a live progress bar can be drawn: stdout is an interactive terminal that
    /// understands ANSI escapes, and no CI environment variable is set.
    /// </summary>
    public static bool Live { get; } =
        !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive
        && AnsiConsole.Profile.Capabilities.Ansi
        && !IsSet("CI") && !IsSet("TF_BUILD") && !IsSet("GITHUB_ACTIONS")
        && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>
    /// Runs <paramref name="work"/> (one epoch) and, on a terminal, shows its progress with loss,
    /// running accuracy and throughput; the bar disappears when the epoch ends.
    /// </summary>
    public static T Epoch<T>(int epoch, int epochs, int batches, Func<Action<BatchProgress>, T> work)
    {
        if (!Live)
        {
            return work(_ => { });
        }

        string title = $"epoch {epoch}/{epochs}";
        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                var task = context.AddTask(title, maxValue: batches);
                return work(p =>
                {
                    task.Value = p.Batch;
                    task.Description = $"{title}  loss {p.Loss:F4}  acc {Percent(p.Accuracy)}  {p.SamplesPerSecond:N0} samples/s";
                });
            });
    }

    /// <summary>Prints the run's setup before the first epoch.</summary>
    public static void Header(Settings settings, int trainCount, int testCount, int samplesPerEpoch, long parameters, int ranks)
    {
        Console.WriteLine($"MNIST from {settings.DataDirectory}: {trainCount:N0} training and {testCount:N0} test digits");
        if (settings.ShiftedCopies > 0)
        {
            Console.WriteLine($"augmentation: {settings.ShiftedCopies} copies of each training digit shifted by up to {Augment.MaxShift} px, {samplesPerEpoch:N0} samples per epoch");
        }

        string layers = settings.Model == "cnn" ? $"Conv2d, ReLU, MaxPool2d, dropout {settings.Dropout:G3}"
            : settings.Hidden.Length == 0 ? "linear"
            : string.Join(", ", new[] { settings.Norm switch { "batch" => "BatchNorm1d", "layer" => "LayerNorm", _ => "" }, "ReLU", settings.Dropout > 0 ? $"dropout {settings.Dropout:G3}" : "" }.Where(s => s.Length > 0));
        Console.WriteLine($"model {settings.Architecture} ({layers}, {parameters:N0} parameters) on {settings.Device}; "
            + $"{(settings.Optimizer == "sgd" ? "sgd (momentum 0.9)" : settings.Optimizer)} lr {settings.LearningRate:G4} decayed ×{Training.LearningRateDecay} per epoch, batch {settings.BatchSize}, {Count(settings.Epochs, "epoch")}, seed {settings.Seed}");
        if (settings.Distributed)
        {
            Console.WriteLine($"data-parallel over {Count(ranks, "process", "es")} (MPI): {settings.BatchSize / ranks} samples of each batch per process, gradients averaged after each backward pass");
        }
    }

    /// <summary>Prints one epoch's summary line.</summary>
    public static void EpochLine(EpochResult r, int epochs)
    {
        string line = $"epoch {r.Epoch.ToString().PadLeft(epochs.ToString().Length)}/{epochs}  "
            + $"train loss {r.TrainLoss:F4}  train acc {Percent(r.TrainAccuracy),7}  test loss {r.TestLoss:F4}  test acc {Percent(r.TestAccuracy),7}  "
            + $"{r.SamplesPerSecond,7:N0} samples/s  {r.Seconds,5:F2} s";
        if (Live)
        {
            AnsiConsole.MarkupLineInterpolated($"[green]{line}[/]");
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>"1 epoch", "2 epochs".</summary>
    public static string Count(int n, string noun, string plural = "s") => $"{n:N0} {noun}{(n == 1 ? "" : plural)}";

    /// <summary>A fraction as a percentage: 0.9712 → "97.12%".</summary>
    public static string Percent(double fraction, int decimals = 2) => (100 * fraction).ToString("F" + decimals) + "%";

    private static bool IsSet(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";
}
