using System.Numerics;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Elementwise binary kernels with NumPy broadcasting: Core's operators in <see cref="VectorLoop"/>, split over cores when large.</summary>
internal static class BinaryKernels
{
    public static void Apply<T>(BinaryOp op, T[] a, Shape aShape, T[] b, Shape bShape, T[] y, Shape yShape)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BinaryOps.Run<T, BroadcastRunner<T>>(op, new BroadcastRunner<T>(new Args<T>(a, aShape, b, bShape, y, yShape)));

    private static void VectorVector<T, TOp>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T> => VectorLoop.Run<T, BinaryLanes<T, TOp>>(new(op, a, b), y);

    private static void VectorScalar<T, TOp>(TOp op, ReadOnlySpan<T> a, T s, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T> => VectorLoop.Run<T, ScalarLanes<T, TOp>>(new(op, a, s), y);

    /// <summary><c>y[i] = op(s, b[i])</c>: the vector-scalar loop with the operands swapped.</summary>
    private static void ScalarVector<T, TOp>(TOp op, T s, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T> => VectorScalar<T, Swapped<T, TOp>>(new(op), b, s, y);

    private static void Rows<T, TOp>(TOp op, RowPlan<T> p, long start, long end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        int inner = p.Inner;
        for (long row = start; row < end; row++)
        {
            var (aOffset, bOffset) = p.Offsets(row);
            var y = p.Args.Y.AsSpan((int)(row * inner), inner);
            bool aFull = p.AInner == inner, bFull = p.BInner == inner;
            if (aFull && bFull)
            {
                VectorVector(op, p.Args.A.AsSpan((int)aOffset, inner), p.Args.B.AsSpan((int)bOffset, inner), y);
            }
            else if (aFull)
            {
                VectorScalar(op, p.Args.A.AsSpan((int)aOffset, inner), p.Args.B[bOffset], y);
            }
            else if (bFull)
            {
                ScalarVector(op, p.Args.A[aOffset], p.Args.B.AsSpan((int)bOffset, inner), y);
            }
            else
            {
                y.Fill(op.Apply(p.Args.A[aOffset], p.Args.B[bOffset]));
            }
        }
    }

    /// <summary>y = op(a, b) for three buffers of one length: the unary gradients' loop.</summary>
    internal readonly struct SameShapeRunner<T>(T[] a, T[] b, T[] y) : IBinaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IBinaryOperator<T> =>
            CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (A: a, B: b, Y: y, Op: op), static (s, start, end) =>
                VectorVector(s.Op, s.A.AsSpan((int)start, (int)(end - start)), s.B.AsSpan((int)start, (int)(end - start)), s.Y.AsSpan((int)start, (int)(end - start))));
    }

    private readonly struct BroadcastRunner<T>(Args<T> args) : IBinaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IBinaryOperator<T>
        {
            long n = args.Y.LongLength;
            if (args.A.LongLength == n && args.B.LongLength == n)
            {
                new SameShapeRunner<T>(args.A, args.B, args.Y).Run(op);
            }
            else if (args.B.Length == 1)
            {
                CpuParallel.For(n, CpuParallel.ElementGrain, (Args: args, Op: op), static (s, start, end) =>
                    VectorScalar(s.Op, s.Args.A.AsSpan((int)start, (int)(end - start)), s.Args.B[0], s.Args.Y.AsSpan((int)start, (int)(end - start))));
            }
            else if (args.A.Length == 1)
            {
                CpuParallel.For(n, CpuParallel.ElementGrain, (Args: args, Op: op), static (s, start, end) =>
                    ScalarVector(s.Op, s.Args.A[0], s.Args.B.AsSpan((int)start, (int)(end - start)), s.Args.Y.AsSpan((int)start, (int)(end - start))));
            }
            else
            {
                var plan = new RowPlan<T>(args);
                CpuParallel.For(plan.Rows, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, plan.Inner)), (Plan: plan, Op: op), static (s, start, end) => Rows(s.Op, s.Plan, start, end));
            }
        }
    }

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
