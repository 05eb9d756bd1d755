namespace TensorGrad.Autograd.Ops;

/// <summary>
/// The gradient tensors of a normalization with an optional weight and bias (LayerNorm,
/// BatchNorm): made before the backward kernel fills them, accumulated after.
/// </summary>
internal readonly record struct AffineGradients(Tensor X, Tensor? Weight, Tensor? Bias, Tensor GradX, Tensor? GradWeight, Tensor? GradBias)
{
    /// <summary>The inputs of the node: x, then the weight and the bias that exist.</summary>
    public static IReadOnlyList<Tensor> Inputs(Tensor x, Tensor? weight, Tensor? bias) =>
        [x, .. weight is null ? Array.Empty<Tensor>() : [weight], .. bias is null ? Array.Empty<Tensor>() : [bias]];

    /// <summary>Result tensors for the gradients of x, and of the weight and bias that need one.</summary>
    public static AffineGradients Create(Tensor g, string name, Tensor x, Tensor? weight, Tensor? bias) => new(
        x,
        weight,
        bias,
        Tensor.Result(g.Backend, x.Shape, x.DType, name),
        weight is { RequiresGrad: true } ? Tensor.Result(g.Backend, weight.Shape, weight.DType, name) : null,
        bias is { RequiresGrad: true } ? Tensor.Result(g.Backend, bias.Shape, bias.DType, name) : null);

    /// <summary>Adds the filled gradients to their tensors (x's is released when x needs none).</summary>
    public void Accumulate()
    {
        if (X.RequiresGrad)
        {
            Backprop.Accumulate(X, GradX);
        }
        else
        {
            GradX.ReleaseIfUnowned();
        }

        if (GradWeight is not null)
        {
            Backprop.Accumulate(Weight!, GradWeight);
        }

        if (GradBias is not null)
        {
            Backprop.Accumulate(Bias!, GradBias);
        }
    }
}
