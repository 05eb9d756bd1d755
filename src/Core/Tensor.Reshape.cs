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

    /// <summary>
    /// Merges dimensions <paramref name="startDim"/> through <paramref name="endDim"/> into one
    /// (PyTorch's flatten; negative dims count from the end). Shares storage with this tensor.
    /// </summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0)
        {
            return Reshape(1);
        }

        int start = Shape.NormalizeAxis(startDim, "Flatten"), end = Shape.NormalizeAxis(endDim, "Flatten");
        if (start > end)
        {
            throw new ArgumentException($"Flatten: startDim {startDim} comes after endDim {endDim} for shape {Shape} on {Device}.");
        }

        var dims = Shape.Dimensions;
        int merged = 1;
        for (int d = start; d <= end; d++)
        {
            merged = checked(merged * dims[d]);
        }

        return Reshape((int[])[.. dims[..start], merged, .. dims[(end + 1)..]]);
    }

    /// <summary>Transpose of a 2-D tensor [m, n] into a new [n, m] tensor.</summary>
    public Tensor Transpose() => ShapeOps.Transpose(this);
}
