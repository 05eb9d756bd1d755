using TensorGrad.Autograd.Ops;

namespace TensorGrad;

/// <summary>Matrix multiplication.</summary>
public sealed partial class Tensor
{
    /// <summary>Matrix product of this [m, k] tensor and <paramref name="other"/> [k, n], giving [m, n].</summary>
    public Tensor MatMul(Tensor other) => MatMulOp.Forward(this, other, transA: false, transB: false);
}
