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
