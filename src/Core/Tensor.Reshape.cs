using TensorGrad.Autograd.Ops;

namespace TensorGrad;

/// <summary>Ops that change a tensor's shape.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// The same elements with another shape (one dimension may be -1 and is then inferred).
    /// Shares storage with this tensor.
    /// </summary>
    public Tensor Reshape(params int[] shape) => ShapeOps.Reshape(this, ShapeOps.Infer(this, shape));

    /// <summary>The same elements with another shape of equal size; shares storage with this tensor.</summary>
    public Tensor Reshape(Shape shape) => ShapeOps.Reshape(this, shape);

    /// <summary>Transpose of a 2-D tensor [m, n] into a new [n, m] tensor.</summary>
    public Tensor Transpose() => ShapeOps.Transpose(this);
}
