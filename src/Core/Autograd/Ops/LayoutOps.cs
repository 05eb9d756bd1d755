using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>
/// Ops that copy elements into a new layout with one strided-copy kernel per input: permutation of
/// dimensions and concatenation; their gradients are the inverse copies.
/// </summary>
internal static class LayoutOps
{
    public static Tensor Permute(Tensor x, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        int rank = x.Rank;
        if (dims.Length != rank)
        {
            throw Invalid(x, dims);
        }

        var seen = new bool[rank];
        var inverse = new int[rank];
        var shape = new int[rank];
        Span<int> xStrides = stackalloc int[rank];
        Span<int> sourceStrides = stackalloc int[rank];
        Span<int> yStrides = stackalloc int[rank];
        CopyLayout.RowMajorStrides(x.Shape.Dimensions, xStrides);
        for (int d = 0; d < rank; d++)
        {
            int source = dims[d] < 0 ? dims[d] + rank : dims[d];
            if ((uint)source >= (uint)rank || seen[source])
            {
                throw Invalid(x, dims);
            }

            seen[source] = true;
            inverse[source] = d;
            shape[d] = x.Shape[source];
            sourceStrides[d] = xStrides[source];
        }

        var y = Tensor.Result(x.Backend, Shape.Adopt(shape), x.DType, "Permute");
        CopyLayout.RowMajorStrides(shape, yStrides);
        x.Backend.CopyStrided(x.Buffer, CopyLayout.Create(shape, sourceStrides, 0, yStrides, 0), y.Buffer);
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new PermuteNode(x, inverse), y);
        }

        return y;
    }

    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Concat: needs at least one tensor.", nameof(tensors));
        }

        var first = tensors[0] ?? throw new ArgumentNullException(nameof(tensors), "Concat: a tensor is null.");
        if (first.Rank == 0)
        {
            throw new ArgumentException($"Concat: cannot concatenate scalars ({first.Shape} on {first.Device}); use Stack.");
        }

        int axis = first.Shape.NormalizeAxis(dim, "Concat");
        int total = 0;
        foreach (var t in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            OpChecks.SameDeviceAndType("Concat", first, t);
            if (t.Rank != first.Rank || Enumerable.Range(0, first.Rank).Any(d => d != axis && t.Shape[d] != first.Shape[d]))
            {
                throw new ArgumentException($"Concat: along dimension {dim} every tensor must match {first.Shape} outside it, got {t.Shape} on {t.Device}.");
            }

            total = checked(total + t.Shape[axis]);
        }

        int[] shape = [.. first.Shape];
        shape[axis] = total;
        var (outer, _, inner) = first.Shape.SplitAt(axis);
        var y = Tensor.Result(first.Backend, Shape.Adopt(shape), first.DType, "Concat");
        int rowLength = checked(total * inner), offset = 0;
        foreach (var t in tensors)
        {
            int width = t.Shape[axis] * inner;
            t.Backend.CopyStrided(t.Buffer, CopyLayout.Create([outer, width], [width, 1], 0, [rowLength, 1], offset), y.Buffer);
            offset += width;
        }

        if (tensors.Any(Tape.ShouldRecord))
        {
            Tape.Record(new ConcatNode([.. tensors], outer, inner, axis), y);
        }

        return y;
    }

    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Stack: needs at least one tensor.", nameof(tensors));
        }

        var first = tensors[0] ?? throw new ArgumentNullException(nameof(tensors), "Stack: a tensor is null.");
        int axis = dim < 0 ? dim + first.Rank + 1 : dim;
        if ((uint)axis > (uint)first.Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), $"Stack: dimension {dim} is out of range for tensors of shape {first.Shape} on {first.Device} (valid: {-first.Rank - 1} to {first.Rank}).");
        }

        var unsqueezed = new Tensor[tensors.Count];
        for (int i = 0; i < unsqueezed.Length; i++)
        {
            var t = tensors[i] ?? throw new ArgumentNullException(nameof(tensors), "Stack: a tensor is null.");
            if (t.Shape != first.Shape)
            {
                throw new ArgumentException($"Stack: every tensor must have the shape {first.Shape}, got {t.Shape} on {t.Device}.");
            }

            unsqueezed[i] = t.Reshape((int[])[.. first.Shape.Dimensions[..axis], 1, .. first.Shape.Dimensions[axis..]]);
        }

        return Concat(unsqueezed, axis);
    }

    private static ArgumentException Invalid(Tensor x, int[] dims) =>
        new($"Permute: [{string.Join(", ", dims)}] must list each of the {x.Rank} dimensions of {x.Shape} on {x.Device} once.");

    private sealed class PermuteNode(Tensor x, int[] inverse) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => "Permute";

        public override void Backward(Tensor g) => Backprop.Accumulate(x, g.Permute(inverse));
    }

    private sealed class ConcatNode(Tensor[] inputs, int outer, int inner, int axis) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => inputs;

        public override string Name => "Concat";

        public override void Backward(Tensor g)
        {
            int rowLength = g.Shape[axis] * inner, offset = 0;
            foreach (var t in inputs)
            {
                int width = t.Shape[axis] * inner;
                if (t.RequiresGrad)
                {
                    var slice = Tensor.Result(g.Backend, t.Shape, t.DType, "Concat backward");
                    g.Backend.CopyStrided(g.Buffer, CopyLayout.Create([outer, width], [rowLength, 1], offset, [width, 1], 0), slice.Buffer);
                    Backprop.Accumulate(t, slice);
                }

                offset += width;
            }
        }
    }
}
