namespace TensorGrad.Nn;

/// <summary>Rectified linear unit module: <c>max(x, 0)</c> elementwise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Relu();
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
