using TensorGrad;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace DistributedWorker;

/// <summary>
/// A small classification problem the scenarios train: 8 features, 4 classes, a 8-16-4 MLP, and
/// global batches of <see cref="GlobalBatch"/> rows that the ranks split into equal consecutive parts.
/// </summary>
internal static class Problem
{
    public const int Features = 8;
    public const int Classes = 4;
    public const int GlobalBatch = 64;

    private static readonly float[] Inputs;

    /// <summary>Where the models and batches live (the scenarios' optional last argument).</summary>
    public static Device Device { get; set; } = Device.Cpu;
    private static readonly float[] Labels;

    static Problem()
    {
        const int rows = GlobalBatch * 40;
        var random = new Random(7);
        Inputs = new float[rows * Features];
        Labels = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
            {
                Inputs[(r * Features) + f] = (float)((random.NextDouble() * 2) - 1);
            }

            // The class is the index of the largest of four fixed sums of the features.
            double best = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                double score = Inputs[(r * Features) + (2 * c)] - (0.5 * Inputs[(r * Features) + ((2 * c) + 1)]);
                if (score > best)
                {
                    best = score;
                    Labels[r] = c;
                }
            }
        }
    }

    /// <summary>The MLP, initialized from <paramref name="seed"/>, with <paramref name="hidden"/> hidden units.</summary>
    public static Sequential Model(int seed, int hidden = 16)
    {
        Init.ManualSeed(seed);
        return new Sequential(new Linear(Features, hidden, Device), new ReLU(), new Linear(hidden, Classes, Device));
    }

    public static Optimizer Optimizer(string name, Module model) => name == "adam"
        ? new Adam(model.Parameters(), lr: 0.01)
        : new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9);

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of the global batch of <paramref name="step"/>.</summary>
    public static (Tensor X, Tensor Y) Batch(int step, int part, int parts)
    {
        int rows = GlobalBatch / parts;
        int first = ((step * GlobalBatch) + (part * rows)) % Labels.Length;
        return (
            Tensor.FromArray(Inputs[(first * Features)..((first + rows) * Features)], Shape.Create([rows, Features]), Device),
            Tensor.FromArray(Labels[first..(first + rows)], Shape.Create([rows]), Device));
    }

    /// <summary>One training step on part <paramref name="part"/> of <paramref name="parts"/>, in <paramref name="microBatches"/> backward passes (all but the last inside <paramref name="noSync"/>).</summary>
    public static void Step(Module model, Optimizer optimizer, int step, int part, int parts, int microBatches = 1, Func<IDisposable>? noSync = null)
    {
        optimizer.ZeroGrad();
        for (int m = 0; m < microBatches; m++)
        {
            var (x, y) = Batch((step * microBatches) + m, part, parts);
            using var suspended = m < microBatches - 1 ? noSync?.Invoke() : null;
            using var tape = Tape.Begin();
            var loss = Loss.CrossEntropy(model.Forward(x), y) * (1.0 / microBatches);
            loss.Backward();
            x.Dispose();
            y.Dispose();
        }

        optimizer.Step();
    }

    /// <summary>The largest difference between the two models' parameters relative to the largest parameter value.</summary>
    public static double RelativeDifference(Module a, Module b)
    {
        double difference = 0, scale = 0;
        foreach (var ((_, p), (_, q)) in a.NamedParameters().Zip(b.NamedParameters()))
        {
            var x = p.ToArray();
            var y = q.ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                difference = Math.Max(difference, Math.Abs(x[i] - y[i]));
                scale = Math.Max(scale, Math.Abs(y[i]));
            }
        }

        return difference / scale;
    }
}
