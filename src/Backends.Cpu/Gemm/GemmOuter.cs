using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// Products of depth at most <see cref="MaxDepth"/> (a weight gradient from a batch of one or a few
/// rows: a sum of outer products). The packed path would pack and sweep C in micro-tiles for a
/// handful of multiply-adds each; here every row of C is written once, as the scaled sum of the
/// few contiguous rows of op(B), so the product runs at the speed of writing C.
/// </summary>
internal static unsafe class GemmOuter
{
    /// <summary>The deepest product taken by this path.</summary>
    public const int MaxDepth = 4;

    /// <summary>Runs the product when it is shallow and op(B)'s rows are contiguous, and returns true; otherwise returns false.</summary>
    public static bool TryRun<T>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.K > MaxDepth || (p.TransB && p.K > 1))
        {
            return false;
        }

        long grain = Math.Max(1, CpuParallel.ElementGrain / p.N);
        CpuParallel.For(p.M, grain, p, static (q, start, end) =>
        {
            for (long i = start; i < end; i++)
            {
                var row = new Span<T>(q.C + (i * q.N), q.N);
                for (int d = 0; d < q.K; d++)
                {
                    // op(A)(i, d) scales row d of op(B); with one row, B's two layouts are the same vector.
                    T scale = q.Alpha * (q.TransA ? q.A[((long)d * q.M) + i] : q.A[(i * q.K) + d]);
                    var source = new ReadOnlySpan<T>(q.B + ((long)d * q.N), q.N);
                    if (d > 0 || q.Beta == T.One)
                    {
                        TensorPrimitives.MultiplyAdd(source, scale, row, row);
                    }
                    else if (T.IsZero(q.Beta))
                    {
                        TensorPrimitives.Multiply(source, scale, row);
                    }
                    else
                    {
                        TensorPrimitives.Multiply(row, q.Beta, row);
                        TensorPrimitives.MultiplyAdd(source, scale, row, row);
                    }
                }
            }
        });
        return true;
    }
}
