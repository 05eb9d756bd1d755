using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Elementwise binary kernels with NumPy broadcasting, vectorized with Vector512/Vector256.</summary>
internal static class BinaryKernels
{
    public static void Apply<T>(BinaryOp op, T[] a, Shape aShape, T[] b, Shape bShape, T[] y, Shape yShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var args = new Args<T>(a, aShape, b, bShape, y, yShape);
        switch (op)
        {
            case BinaryOp.Add: Broadcast<T, AddOperator<T>>(args); break;
            case BinaryOp.Sub: Broadcast<T, SubOperator<T>>(args); break;
            case BinaryOp.Mul: Broadcast<T, MulOperator<T>>(args); break;
            case BinaryOp.Div: Broadcast<T, DivOperator<T>>(args); break;
            case BinaryOp.ReluBackward: Broadcast<T, ReluBackwardOperator<T>>(args); break;
            case BinaryOp.SigmoidBackward: Broadcast<T, SigmoidBackwardOperator<T>>(args); break;
            case BinaryOp.TanhBackward: Broadcast<T, TanhBackwardOperator<T>>(args); break;
            default: throw new NotSupportedException($"Binary op {op} is not implemented on the CPU backend.");
        }
    }

    /// <summary><c>y[i] = op(a[i], s)</c> (or <c>op(s, a[i])</c> when <paramref name="scalarFirst"/>).</summary>
    public static void WithScalar<T, TOp>(T[] x, T s, T[] y, bool scalarFirst)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (X: x, S: s, Y: y, First: scalarFirst), static (st, start, end) =>
        {
            var xs = st.X.AsSpan((int)start, (int)(end - start));
            var ys = st.Y.AsSpan((int)start, (int)(end - start));
            if (st.First)
            {
                ScalarVector<T, TOp>(st.S, xs, ys);
            }
            else
            {
                VectorScalar<T, TOp>(xs, st.S, ys);
            }
        });
    }

    private static void Broadcast<T, TOp>(Args<T> args)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        long n = args.Y.LongLength;
        if (args.A.LongLength == n && args.B.LongLength == n)
        {
            CpuParallel.For(n, CpuParallel.ElementGrain, args, static (s, start, end) =>
                VectorVector<T, TOp>(s.A.AsSpan((int)start, (int)(end - start)), s.B.AsSpan((int)start, (int)(end - start)), s.Y.AsSpan((int)start, (int)(end - start))));
        }
        else if (args.B.Length == 1)
        {
            CpuParallel.For(n, CpuParallel.ElementGrain, args, static (s, start, end) =>
                VectorScalar<T, TOp>(s.A.AsSpan((int)start, (int)(end - start)), s.B[0], s.Y.AsSpan((int)start, (int)(end - start))));
        }
        else if (args.A.Length == 1)
        {
            CpuParallel.For(n, CpuParallel.ElementGrain, args, static (s, start, end) =>
                ScalarVector<T, TOp>(s.A[0], s.B.AsSpan((int)start, (int)(end - start)), s.Y.AsSpan((int)start, (int)(end - start))));
        }
        else
        {
            var plan = new RowPlan<T>(args);
            CpuParallel.For(plan.Rows, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, plan.Inner)), plan, static (p, start, end) => Rows<T, TOp>(p, start, end));
        }
    }

    private static void Rows<T, TOp>(RowPlan<T> p, long start, long end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        int inner = p.Inner;
        for (long row = start; row < end; row++)
        {
            var (aOffset, bOffset) = p.Offsets(row);
            var y = p.Args.Y.AsSpan((int)(row * inner), inner);
            bool aFull = p.AInner == inner, bFull = p.BInner == inner;
            if (aFull && bFull)
            {
                VectorVector<T, TOp>(p.Args.A.AsSpan((int)aOffset, inner), p.Args.B.AsSpan((int)bOffset, inner), y);
            }
            else if (aFull)
            {
                VectorScalar<T, TOp>(p.Args.A.AsSpan((int)aOffset, inner), p.Args.B[bOffset], y);
            }
            else if (bFull)
            {
                ScalarVector<T, TOp>(p.Args.A[aOffset], p.Args.B.AsSpan((int)bOffset, inner), y);
            }
            else
            {
                y.Fill(TOp.Invoke(p.Args.A[aOffset], p.Args.B[bOffset]));
            }
        }
    }

    private static void VectorVector<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<T>.Count <= n; i += (nuint)Vector512<T>.Count)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i)).StoreUnsafe(ref ry, i);
            }
        }

        for (; i + (nuint)Vector256<T>.Count <= n; i += (nuint)Vector256<T>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i)).StoreUnsafe(ref ry, i);
        }

        for (; i < n; i++)
        {
            y[(int)i] = TOp.Invoke(a[(int)i], b[(int)i]);
        }
    }

    private static void VectorScalar<T, TOp>(ReadOnlySpan<T> a, T s, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(s);
            for (; i + (nuint)Vector512<T>.Count <= n; i += (nuint)Vector512<T>.Count)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref ra, i), vs).StoreUnsafe(ref ry, i);
            }
        }

        var s256 = Vector256.Create(s);
        for (; i + (nuint)Vector256<T>.Count <= n; i += (nuint)Vector256<T>.Count)
        {
            TOp.Invoke(Vector256.LoadUnsafe(ref ra, i), s256).StoreUnsafe(ref ry, i);
        }

        for (; i < n; i++)
        {
            y[(int)i] = TOp.Invoke(a[(int)i], s);
        }
    }

    /// <summary><c>y[i] = op(s, b[i])</c>: the vector-scalar loop with the operands swapped.</summary>
    private static void ScalarVector<T, TOp>(T s, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T> => VectorScalar<T, Swapped<T, TOp>>(b, s, y);

    private readonly record struct Args<T>(T[] A, Shape AShape, T[] B, Shape BShape, T[] Y, Shape YShape);

    /// <summary>
    /// Rows of the innermost dimension of y and where each row's operands start in a and b. The
    /// offsets are computed from the shapes themselves, so a plan allocates nothing.
    /// </summary>
    private readonly struct RowPlan<T>(Args<T> args)
    {
        public Args<T> Args { get; } = args;

        public int Inner { get; } = args.YShape[args.YShape.Rank - 1];

        public long Rows => Inner == 0 ? 0 : Args.YShape.Size / Inner;

        public int AInner { get; } = Dim(args.AShape, args.YShape.Rank, args.YShape.Rank - 1);

        public int BInner { get; } = Dim(args.BShape, args.YShape.Rank, args.YShape.Rank - 1);

        public (long A, long B) Offsets(long row)
        {
            var y = Args.YShape.Dimensions;
            int rank = y.Length;
            long a = 0, b = 0, aStride = AInner, bStride = BInner;
            for (int d = rank - 2; d >= 0; d--)
            {
                long index = row % y[d];
                row /= y[d];
                int aDim = Dim(Args.AShape, rank, d), bDim = Dim(Args.BShape, rank, d);
                a += aDim == 1 ? 0 : index * aStride;
                b += bDim == 1 ? 0 : index * bStride;
                aStride *= aDim;
                bStride *= bDim;
            }

            return (a, b);
        }

        // Dimension `axis` of s aligned from the right to a rank-`rank` shape (1 where s has none).
        private static int Dim(Shape s, int rank, int axis) => axis < rank - s.Rank ? 1 : s.Dimensions[axis - (rank - s.Rank)];
    }
}
