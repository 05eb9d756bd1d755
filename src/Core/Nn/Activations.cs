namespace TensorGrad.Nn;

/// <summary>Rectified linear unit module: <c>max(x, 0)</c> elementwise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Relu();
}

/// <summary>Leaky ReLU module: x where x &gt; 0, else <c>negativeSlope·x</c> (PyTorch's <c>nn.LeakyReLU</c>).</summary>
/// <param name="negativeSlope">The slope for x ≤ 0 (PyTorch's default, 0.01).</param>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module
{
    /// <summary>The slope for x ≤ 0.</summary>
    public double NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.LeakyRelu(NegativeSlope);

    /// <inheritdoc />
    protected override string Describe() => FormattableString.Invariant($"negative_slope={NegativeSlope}");
}

/// <summary>Logistic sigmoid module: <c>1 / (1 + e⁻ˣ)</c> elementwise.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Sigmoid();
}

/// <summary>Hyperbolic tangent module, elementwise.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Tanh();
}

/// <summary>GELU module: x·Φ(x), or its tanh approximation (PyTorch's <c>nn.GELU(approximate)</c>).</summary>
public sealed class GELU : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="approximate">"none" (exact, the default) or "tanh".</param>
    public GELU(string approximate = "none")
    {
        Approximate = approximate is "none" or "tanh" ? approximate : throw new ArgumentException($"GELU: approximate must be \"none\" or \"tanh\", not \"{approximate}\".", nameof(approximate));
    }

    /// <summary>"none" or "tanh".</summary>
    public string Approximate { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Gelu(Approximate);

    /// <inheritdoc />
    protected override string Describe() => Approximate == "none" ? "" : $"approximate='{Approximate}'";
}

/// <summary>ELU module: x where x &gt; 0, else α(eˣ - 1) (PyTorch's <c>nn.ELU</c>).</summary>
/// <param name="alpha">α (default 1).</param>
public sealed class ELU(double alpha = 1) : Module
{
    /// <summary>α.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Elu(Alpha);

    /// <inheritdoc />
    protected override string Describe() => FormattableString.Invariant($"alpha={Alpha}");
}

/// <summary>SiLU (swish) module: x·sigmoid(x).</summary>
public sealed class SiLU : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Silu();
}

/// <summary>Softplus module: ln(1 + e^(βx)) / β, x above the threshold (PyTorch's <c>nn.Softplus</c>).</summary>
/// <param name="beta">β (default 1).</param>
/// <param name="threshold">Above this βx the result is x (default 20).</param>
public sealed class Softplus(double beta = 1, double threshold = 20) : Module
{
    /// <summary>β.</summary>
    public double Beta { get; } = beta;

    /// <summary>Above this βx the result is x.</summary>
    public double Threshold { get; } = threshold;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Softplus(Beta, Threshold);

    /// <inheritdoc />
    protected override string Describe() => FormattableString.Invariant($"beta={Beta}, threshold={Threshold}");
}

/// <summary>Softmax module along <c>dim</c> (PyTorch's <c>nn.Softmax(dim)</c>).</summary>
/// <param name="dim">The axis (negative counts from the end).</param>
public sealed class Softmax(int dim) : Module
{
    /// <summary>The axis.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Softmax(Dim);

    /// <inheritdoc />
    protected override string Describe() => FormattableString.Invariant($"dim={Dim}");
}

/// <summary>Log-softmax module along <c>dim</c> (PyTorch's <c>nn.LogSoftmax(dim)</c>).</summary>
/// <param name="dim">The axis (negative counts from the end).</param>
public sealed class LogSoftmax(int dim) : Module
{
    /// <summary>The axis.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.LogSoftmax(Dim);

    /// <inheritdoc />
    protected override string Describe() => FormattableString.Invariant($"dim={Dim}");
}

