using System.Globalization;
using TensorGrad.Examples.Common;

namespace GradientHealthExample;

/// <summary>The command line: a few options with defaults that run the whole demonstration in about a minute.</summary>
/// <param name="DataDirectory">MNIST IDX files.</param>
/// <param name="OutputDirectory">Where the PNGs go.</param>
/// <param name="Steps">SGD steps of every run.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="LearningRate">SGD rate of the sigmoid and ReLU nets of part (a).</param>
/// <param name="ExplodingLearningRate">SGD rate of the runs of part (b).</param>
/// <param name="ExplodingInitScale">Multiplier of the He standard deviation in part (b).</param>
/// <param name="Seed">Seed of the initialization and the shuffle.</param>
internal sealed record Options(string DataDirectory, string OutputDirectory, int Steps, int BatchSize, double LearningRate, double ExplodingLearningRate, double ExplodingInitScale, int Seed)
{
    /// <summary>Hidden layers of the deep nets.</summary>
    public const int Depth = 10;

    /// <summary>Width of every hidden layer.</summary>
    public const int Width = 128;

    /// <summary>The clipping threshold of part (b).</summary>
    public const double ClipNorm = 1.0;

    public const string Usage = """
        usage: dotnet run --project examples/GradientHealth -c Release [-- options]
          --data DIR            MNIST IDX files [default: the repository's data/mnist-sample]
          --out DIR             where the PNGs go [default: the repository's docs/]
          --steps N             SGD steps per run [default: 500]
          --batch-size N        samples per step [default: 64]
          --lr X                SGD rate of part (a) [default: 0.1]
          --explode-lr X        SGD rate of part (b) [default: 1]
          --explode-init X      multiplier of the He init in part (b) [default: 1]
          --seed N              seed of the initialization and shuffling [default: 1]
        """;

    /// <summary>Parses <paramref name="args"/>; on failure returns null and the problem.</summary>
    public static (Options? Options, string? Error) Parse(string[] args)
    {
        string? data = null, output = null;
        int steps = 500, batch = 64, seed = 1;
        double lr = 0.1, explodeLr = 1, explodeInit = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help" or "-?")
            {
                return (null, null);
            }

            if (i + 1 >= args.Length)
            {
                return (null, $"{name} needs a value.");
            }

            string value = args[++i];
            bool ok = name switch
            {
                "--data" => Set(value, out data),
                "--out" => Set(value, out output),
                "--steps" => int.TryParse(value, CultureInfo.InvariantCulture, out steps) && steps >= 20,
                "--batch-size" => int.TryParse(value, CultureInfo.InvariantCulture, out batch) && batch > 0,
                "--seed" => int.TryParse(value, CultureInfo.InvariantCulture, out seed),
                "--lr" => Positive(value, out lr),
                "--explode-lr" => Positive(value, out explodeLr),
                "--explode-init" => Positive(value, out explodeInit),
                _ => false,
            };
            if (!ok)
            {
                return (null, $"bad option or value: {name} {value} (--steps needs >= 20; rates and scales > 0).");
            }
        }

        data ??= RepositoryPaths.FindMnistSample();
        output ??= RepositoryPaths.FindDocs();
        if (data is null || output is null)
        {
            return (null, $"could not find {RepositoryPaths.MnistSampleRelative} above the current directory or the program; pass --data DIR and --out DIR.");
        }

        return (new Options(data, output, steps, batch, lr, explodeLr, explodeInit, seed), null);

        static bool Set(string value, out string? target)
        {
            target = value;
            return true;
        }

        static bool Positive(string value, out double target) =>
            double.TryParse(value, CultureInfo.InvariantCulture, out target) && target > 0 && double.IsFinite(target);
    }
}
