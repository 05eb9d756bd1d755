namespace TensorGrad.Nn;

/// <summary>Returns its input unchanged (PyTorch's <c>nn.Identity</c>): a placeholder where a layer is optional.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input;
}
