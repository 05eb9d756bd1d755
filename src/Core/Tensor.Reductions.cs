using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Sums, means and maxima over all elements or along an axis.</summary>
public sealed partial class Tensor
{
    /// <summary>Sum of all elements, as a scalar tensor.</summary>
    public Tensor Sum() => Reductions.All(this, ReduceOp.Sum, mean: false);

    /// <summary>Sum along <paramref name="axis"/>; <paramref name="keepDim"/> keeps it with size 1.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Reductions.Along(this, ReduceOp.Sum, axis, keepDim, mean: false);

    /// <summary>Mean of all elements, as a scalar tensor (NaN for an empty tensor).</summary>
    public Tensor Mean() => Reductions.All(this, ReduceOp.Sum, mean: true);

    /// <summary>Mean along <paramref name="axis"/>; <paramref name="keepDim"/> keeps it with size 1.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Reductions.Along(this, ReduceOp.Sum, axis, keepDim, mean: true);

    /// <summary>Largest element, as a scalar tensor; the gradient flows to the first maximum.</summary>
    public Tensor Max() => Reductions.All(this, ReduceOp.Max, mean: false);

    /// <summary>Maximum along <paramref name="axis"/>; the gradient flows to the first maximum of each slice.</summary>
    public Tensor Max(int axis, bool keepDim = false) => Reductions.Along(this, ReduceOp.Max, axis, keepDim, mean: false);

    /// <summary>Index of the first maximum along <paramref name="axis"/>, as float values (not differentiable).</summary>
    public Tensor ArgMax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis, "ArgMax");
        var (outer, n, inner) = Shape.SplitAt(a);
        Reductions.CheckNotEmpty("ArgMax", this, n);
        var y = Result(Backend, Shape.Reduce(a, keepDim: false), DType, "ArgMax");
        Backend.ArgMax(Buffer, outer, n, inner, y.Buffer);
        return y;
    }
}
