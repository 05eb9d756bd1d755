namespace TensorGrad.Autograd.Ops;

/// <summary>Forward kernels and gradient nodes of the shape op family.</summary>
internal static class ShapeOps
{
    public static Shape Infer(Tensor x, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        int unknown = Array.IndexOf(dims, -1);
        if (unknown < 0 || Array.LastIndexOf(dims, -1) != unknown)
        {
            return unknown < 0 ? new Shape(dims) : throw Mismatch(x, dims);
        }

        var others = (int[])dims.Clone();
        others[unknown] = 1;
        if (others.Any(d => d < 0) || !Shape.TryCount(others, out long known) || known == 0 || x.Size % known != 0)
        {
            throw Mismatch(x, dims);
        }

        var resolved = (int[])dims.Clone();
        resolved[unknown] = (int)(x.Size / known);
        return new Shape(resolved);
    }

    public static Tensor Reshape(Tensor x, Shape shape)
    {
        if (shape.Size != x.Size)
        {
            throw Mismatch(x, [.. shape]);
        }

        var y = Tensor.View(x, shape, "Reshape");
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new ReshapeNode(x), y);
        }

        return y;
    }

    public static Tensor Transpose(Tensor x)
    {
        OpChecks.Rank("Transpose", x, 2, "the input");
        int rows = x.Shape[0], cols = x.Shape[1];
        var y = Tensor.Result(x.Backend, Shape.Adopt(cols, rows), x.DType, "Transpose");
        x.Backend.Transpose2D(x.Buffer, rows, cols, y.Buffer);
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new TransposeNode(x), y);
        }

        return y;
    }

    private static ArgumentException Mismatch(Tensor x, int[] dims) =>
        new($"Reshape: cannot view {x.Shape} ({x.Size} elements) on {x.Device} as [{string.Join(", ", dims)}].");

    private sealed class ReshapeNode(Tensor x) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => "Reshape";

        /// <summary>The gradient takes the input's shape in its own storage when it can (no copy into a gradient slot).</summary>
        public override void Backward(Tensor g) => Backprop.Accumulate(x, g.TryMoveInto(x.Shape) ?? g.Reshape(x.Shape));
    }

    private sealed class TransposeNode(Tensor x) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => "Transpose";

        public override void Backward(Tensor g) => Backprop.Accumulate(x, g.Transpose());
    }
}
