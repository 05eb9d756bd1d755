using TensorGrad.Nn;

namespace TensorGrad.Lab;

/// <summary>The lab's MLP for MNIST: 784 → hidden layers of <see cref="Width"/> → 10, built from <see cref="LabSettings"/>.</summary>
public static class Network
{
    public const int Width = 64;
    public const int Inputs = 784;
    public const int Classes = 10;

    // Init.ManualSeed reseeds the process's default generator: sessions build one at a time so
    // each gets the weights of its seed.
    private static readonly Lock Building = new();

    /// <summary>
    /// The net of <paramref name="settings"/>: <c>Depth</c> Linear layers with the activation
    /// between them, or a Linear stem, residual blocks x + Linear(act(LayerNorm(x))), a LayerNorm
    /// and the head. The same settings and seed always give the same initial weights.
    /// </summary>
    public static Sequential Build(LabSettings settings, Device device, int seed)
    {
        lock (Building)
        {
            return BuildSeeded(settings, device, seed);
        }
    }

    /// <summary>The Linear layers, input side first (the diagram's layers and gradient bars).</summary>
    public static Linear[] Linears(Module model) => [.. model.NamedModules().Select(m => m.Module).OfType<Linear>()];

    private static Sequential BuildSeeded(LabSettings settings, Device device, int seed)
    {
        Init.ManualSeed(seed);
        var model = new Sequential();
        if (settings.Residual)
        {
            model.Add(new Linear(Inputs, Width, device));
            for (int i = 0; i < settings.Depth - 2; i++)
            {
                model.Add(new Residual(new Sequential(new LayerNorm(Width, device: device), Activation(settings), new Linear(Width, Width, device))));
            }

            model.Add(new LayerNorm(Width, device: device));
        }
        else
        {
            for (int i = 0; i < settings.Depth - 1; i++)
            {
                model.Add(new Linear(i == 0 ? Inputs : Width, Width, device));
                model.Add(Activation(settings));
            }
        }

        model.Add(new Linear(Width, Classes, device));
        Initialize(model, settings);
        return model;
    }

    private static Module Activation(LabSettings settings) => settings.Activation switch
    {
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        _ => new ReLU(),
    };

    private static void Initialize(Module model, LabSettings settings)
    {
        if (settings.Init == "default")
        {
            return;
        }

        var nonlinearity = settings.Activation switch { "sigmoid" => Nonlinearity.Sigmoid, "tanh" => Nonlinearity.Tanh, _ => Nonlinearity.Relu };
        foreach (var linear in Linears(model))
        {
            if (settings.Init == "xavier")
            {
                Init.XavierUniform(linear.Weight, Init.Gain(nonlinearity));
            }
            else
            {
                Init.KaimingNormal(linear.Weight, nonlinearity: nonlinearity);
            }

            Init.Zeros(linear.Bias!);
        }
    }
}
