namespace TensorGrad.Backends;

/// <summary>Reductions along an axis.</summary>
public enum ReduceOp
{
    /// <summary>Sum of the elements.</summary>
    Sum,

    /// <summary>Largest element (NaN if any element is NaN).</summary>
    Max,
}
