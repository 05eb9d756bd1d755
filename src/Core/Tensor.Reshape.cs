using TensorGrad.Autograd.Ops;

namespace TensorGrad;

/// <summary>Ops that change a tensor's shape or the order of its dimensions.</summary>
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

    /// <summary>
    /// The dimensions in the order <paramref name="dims"/> gives (PyTorch's permute: dimension d of
    /// the result is dimension dims[d] of this tensor; negative values count from the end), copied
    /// into a new contiguous tensor.
    /// </summary>
    public Tensor Permute(params int[] dims) => LayoutOps.Permute(this, dims);

    /// <summary>Swaps dimensions <paramref name="dim0"/> and <paramref name="dim1"/> (negative values count from the end) into a new tensor.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = Shape.NormalizeAxis(dim0, "Transpose"), b = Shape.NormalizeAxis(dim1, "Transpose");
        if (Rank == 2 && a != b)
        {
            return Transpose();
        }

        var dims = Enumerable.Range(0, Rank).ToArray();
        (dims[a], dims[b]) = (dims[b], dims[a]);
        return Permute(dims);
    }

    /// <summary>
    /// Joins tensors along an existing dimension <paramref name="dim"/> (PyTorch's cat): all on one
    /// device with one dtype and equal sizes outside that dimension.
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0) => LayoutOps.Concat(tensors, dim);

    /// <summary>Joins tensors of one shape along a new dimension <paramref name="dim"/> (PyTorch's stack).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0) => LayoutOps.Stack(tensors, dim);
}
