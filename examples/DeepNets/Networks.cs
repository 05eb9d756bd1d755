using TensorGrad.Nn;

namespace DeepNetsExample;

/// <summary>The four deep MLPs compared: the same depth, width and Linear layers, different ways to keep gradients alive.</summary>
internal static class Networks
{
    /// <summary>Pixels per flattened 28×28 digit.</summary>
    public const int Pixels = 28 * 28;

    /// <summary>Digit classes.</summary>
    public const int Classes = 10;

    /// <summary>The architectures by name, each a factory of (depth, width) → model.</summary>
    public static readonly (string Name, Func<int, int, Sequential> Build)[] All =
    [
        ("tanh", (depth, width) => Plain(depth, width, () => new Tanh(), heInit: false)),
        ("ReLU + He init", (depth, width) => Plain(depth, width, () => new ReLU(), heInit: true)),
        ("pre-norm residual (LayerNorm)", PreNormResidual),
        ("BatchNorm after each Linear", BatchNormed),
    ];

    /// <summary>784 → <paramref name="depth"/> - 1 hidden Linear layers of <paramref name="width"/>, each followed by <paramref name="activation"/> → 10.</summary>
    private static Sequential Plain(int depth, int width, Func<Module> activation, bool heInit)
    {
        var model = new Sequential();
        for (int i = 0; i < depth - 1; i++)
        {
            model.Add(new Linear(i == 0 ? Pixels : width, width));
            model.Add(activation());
        }

        model.Add(new Linear(width, Classes));
        if (heInit)
        {
            foreach (var linear in model.OfType<Linear>())
            {
                Init.KaimingNormal(linear.Weight);
                Init.Zeros(linear.Bias!);
            }
        }

        return model;
    }

    /// <summary>A Linear stem, <paramref name="depth"/> - 2 blocks x + Linear(ReLU(LayerNorm(x))), a final LayerNorm and the head.</summary>
    private static Sequential PreNormResidual(int depth, int width)
    {
        var model = new Sequential(new Linear(Pixels, width));
        for (int i = 0; i < depth - 2; i++)
        {
            model.Add(new Residual(new Sequential(new LayerNorm(width), new ReLU(), new Linear(width, width))));
        }

        model.Add(new LayerNorm(width));
        model.Add(new Linear(width, Classes));
        return model;
    }

    /// <summary>The ReLU net with a BatchNorm1d between each hidden Linear and its ReLU.</summary>
    private static Sequential BatchNormed(int depth, int width)
    {
        var model = new Sequential();
        for (int i = 0; i < depth - 1; i++)
        {
            model.Add(new Linear(i == 0 ? Pixels : width, width));
            model.Add(new BatchNorm1d(width));
            model.Add(new ReLU());
        }

        model.Add(new Linear(width, Classes));
        return model;
    }
}
