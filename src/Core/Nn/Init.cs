namespace TensorGrad.Nn;

/// <summary>The activation that follows a layer, for <see cref="Init.Gain"/>.</summary>
public enum Nonlinearity
{
    /// <summary>No activation (identity); gain 1.</summary>
    Linear,

    /// <summary>Logistic sigmoid; gain 1.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent; gain 5/3.</summary>
    Tanh,

    /// <summary>ReLU; gain √2.</summary>
    Relu,

    /// <summary>Leaky ReLU with negative slope a; gain √(2 / (1 + a²)).</summary>
    LeakyRelu,
}

/// <summary>Which fan the Kaiming initializers preserve the variance of.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass.</summary>
    FanIn,

    /// <summary>Preserve the variance of gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>
/// Initializers that overwrite a leaf tensor in place, following <c>torch.nn.init</c>. Random ones
/// take a seed; without one they draw from a default generator that starts from a fixed seed (so
/// programs are reproducible) and can be reseeded with <see cref="ManualSeed"/>. Weights are
/// [fanOut, fanIn, ...] as in <see cref="Linear"/>.
/// </summary>
public static class Init
{
    private const int DefaultSeed = 20240601;
    private static readonly Lock Gate = new();
    private static Random shared = new(DefaultSeed);

    /// <summary>Reseeds the default generator used when no seed is given (as <c>torch.manual_seed</c>).</summary>
    public static void ManualSeed(int seed)
    {
        lock (Gate)
        {
            shared = new Random(seed);
        }
    }

    /// <summary>The recommended gain for <paramref name="nonlinearity"/>; <paramref name="negativeSlope"/> is a for leaky ReLU.</summary>
    public static double Gain(Nonlinearity nonlinearity, double negativeSlope = 0.01) => nonlinearity switch
    {
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2),
        Nonlinearity.LeakyRelu => Math.Sqrt(2 / (1 + (negativeSlope * negativeSlope))),
        _ => 1,
    };

    /// <summary>Fan-in and fan-out of a weight [fanOut, fanIn, receptive field...].</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2)
        {
            throw new ArgumentException($"Init.Fans: fan-in and fan-out need a weight of rank >= 2, got {shape}.", nameof(shape));
        }

        long receptive = shape.Size / ((long)shape[0] * shape[1]);
        return ((int)(shape[1] * receptive), (int)(shape[0] * receptive));
    }

    /// <summary>Sets every element to zero.</summary>
    public static void Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public static void Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Fill(value);
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static void Uniform(Tensor tensor, double low, double high, int? seed = null) =>
        Sample(tensor, seed, (t, random) => Tensor.Rand(t.Shape, random, low, high, t.Device, t.DType));

    /// <summary>Normal samples with mean <paramref name="mean"/> and standard deviation <paramref name="std"/>.</summary>
    public static void Normal(Tensor tensor, double mean, double std, int? seed = null) =>
        Sample(tensor, seed, (t, random) => Tensor.Randn(t.Shape, random, mean, std, t.Device, t.DType));

    /// <summary>Glorot/Xavier uniform: U(-b, b) with b = gain·√(6 / (fanIn + fanOut)).</summary>
    public static void XavierUniform(Tensor tensor, double gain = 1, int? seed = null)
    {
        double bound = gain * Math.Sqrt(6.0 / FanSum(tensor));
        Uniform(tensor, -bound, bound, seed);
    }

    /// <summary>Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).</summary>
    public static void XavierNormal(Tensor tensor, double gain = 1, int? seed = null) =>
        Normal(tensor, 0, gain * Math.Sqrt(2.0 / FanSum(tensor)), seed);

    /// <summary>
    /// He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan), gain from <paramref name="nonlinearity"/>
    /// and slope <paramref name="a"/>. PyTorch's defaults: fan-in, leaky ReLU with a = 0 (gain √2).
    /// </summary>
    public static void KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, int? seed = null)
    {
        double bound = Math.Sqrt(3.0) * KaimingStd(tensor, a, mode, nonlinearity);
        Uniform(tensor, -bound, bound, seed);
    }

    /// <summary>He/Kaiming normal: N(0, σ²) with σ = gain / √fan.</summary>
    public static void KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, int? seed = null) =>
        Normal(tensor, 0, KaimingStd(tensor, a, mode, nonlinearity), seed);

    private static double KaimingStd(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = Fans(tensor.Shape);
        return Gain(nonlinearity, a) / Math.Sqrt(mode == FanMode.FanIn ? fanIn : fanOut);
    }

    private static int FanSum(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = Fans(tensor.Shape);
        return fanIn + fanOut;
    }

    /// <summary>Runs <paramref name="draw"/> on the default generator, one caller at a time.</summary>
    internal static T FromDefaultGenerator<T>(Func<Random, T> draw)
    {
        lock (Gate)
        {
            return draw(shared);
        }
    }

    private static void Sample(Tensor tensor, int? seed, Func<Tensor, Random, Tensor> draw)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        lock (Gate)
        {
            using var values = draw(tensor, seed is { } s ? new Random(s) : shared);
            tensor.CopyFrom(values);
        }
    }
}
