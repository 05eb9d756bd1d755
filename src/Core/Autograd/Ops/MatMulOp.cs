namespace TensorGrad.Autograd.Ops;

/// <summary>
/// <c>op(A)·op(B)</c> on the backend's GEMM, with transposes folded into the kernel (used by
/// the public MatMul and by layers that multiply by a transposed weight without copying it).
/// </summary>
internal static class MatMulOp
{
    public static Tensor Forward(Tensor a, Tensor b, bool transA, bool transB)
    {
        const string name = "MatMul";
        OpChecks.Rank(name, a, 2, "the left operand");
        OpChecks.Rank(name, b, 2, "the right operand");
        OpChecks.SameDeviceAndType(name, a, b);
        int m = transA ? a.Shape[1] : a.Shape[0];
        int k = transA ? a.Shape[0] : a.Shape[1];
        int kb = transB ? b.Shape[1] : b.Shape[0];
        int n = transB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
        {
            throw new ArgumentException($"{name}: inner dimensions differ: {Describe(a, transA)} times {Describe(b, transB)} on {a.Device} ({k} vs {kb}).");
        }

        var y = Tensor.Result(a.Backend, Shape.Adopt(m, n), a.DType, name);
        a.Backend.Gemm(transA, transB, m, n, k, 1.0, a.Buffer, b.Buffer, 0.0, y.Buffer);
        if (Tape.ShouldRecord(a, b))
        {
            Tape.Record(new MatMulNode(a, b, transA, transB), y);
        }

        return y;
    }

    /// <summary>A fresh [rows, cols] tensor holding <c>op(A)·op(B)</c>, for gradients.</summary>
    private static Tensor Product(Tensor a, bool transA, Tensor b, bool transB, int rows, int cols, int inner)
    {
        var y = Tensor.Result(a.Backend, Shape.Adopt(rows, cols), a.DType, "MatMul backward");
        a.Backend.Gemm(transA, transB, rows, cols, inner, 1.0, a.Buffer, b.Buffer, 0.0, y.Buffer);
        return y;
    }

    private static string Describe(Tensor t, bool transposed) => transposed ? $"{t.Shape}ᵀ" : t.Shape.ToString();

    private sealed class MatMulNode(Tensor a, Tensor b, bool transA, bool transB) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [a, b];

        public override string Name => "MatMul";

        public override void Backward(Tensor g)
        {
            int m = g.Shape[0], n = g.Shape[1];
            int k = transA ? a.Shape[0] : a.Shape[1];
            if (a.RequiresGrad)
            {
                // dA = g·op(B)ᵀ, or its transpose op(B)·gᵀ when A was used transposed.
                var grad = transA
                    ? Product(b, transB, g, true, k, m, n)
                    : Product(g, false, b, !transB, m, k, n);
                Backprop.Accumulate(a, grad);
            }

            if (b.RequiresGrad)
            {
                // dB = op(A)ᵀ·g, or its transpose gᵀ·op(A) when B was used transposed.
                var grad = transB
                    ? Product(g, true, a, transA, n, k, m)
                    : Product(a, !transA, g, false, k, n, m);
                Backprop.Accumulate(b, grad);
            }
        }
    }
}
