using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// Matrix-vector products (C with one row or one column: a batch of one through a layer, or a
/// layer with one output), which the packed path would spend most of its time packing. Each output
/// is a dot product of contiguous rows, or the outputs accumulate scaled contiguous rows in an
/// L1-sized chunk; either way every element of the matrix is read once.
/// </summary>
internal static unsafe class GemmVector
{
    /// <summary>Outputs accumulated at once in the row-accumulating form (a chunk that stays in L1).</summary>
    private const int Chunk = 1024;

    /// <summary>Runs the product when C is a single row or column and returns true; otherwise returns false.</summary>
    public static bool TryRun<T>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.M == 1)
        {
            // c (1×n) = a (k) · op(B): B stored n×k gives dot products with its rows.
            Run(p.B, rowsAreOutputs: p.TransB, p.A, p.C, p.N, p.K, p.Alpha, p.Beta);
            return true;
        }

        if (p.N == 1)
        {
            // c (m×1) = op(A) · b (k): A stored m×k gives dot products with its rows.
            Run(p.A, rowsAreOutputs: !p.TransA, p.B, p.C, p.M, p.K, p.Alpha, p.Beta);
            return true;
        }

        return false;
    }

    /// <summary>
    /// y[j] = alpha · Σ_p x[p] · M(j, p) + beta · y[j] for j in [0, outputs), where the matrix is
    /// stored outputs×depth (<paramref name="rowsAreOutputs"/>) or depth×outputs.
    /// </summary>
    private static void Run<T>(T* matrix, bool rowsAreOutputs, T* x, T* y, int outputs, int depth, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var work = (Matrix: (nint)matrix, X: (nint)x, Y: (nint)y, Outputs: outputs, Depth: depth, Alpha: alpha, Beta: beta);
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, depth));
        if (rowsAreOutputs)
        {
            CpuParallel.For(outputs, grain, work, static (w, start, end) =>
            {
                var xs = new ReadOnlySpan<T>((T*)w.X, w.Depth);
                for (long j = start; j < end; j++)
                {
                    T dot = TensorPrimitives.Dot(new ReadOnlySpan<T>((T*)w.Matrix + (j * w.Depth), w.Depth), xs);
                    T* at = (T*)w.Y + j;
                    *at = Scaled(dot, w.Alpha, *at, w.Beta);
                }
            });
        }
        else
        {
            // Chunks of at most Chunk outputs, narrower when that gives every core a part of a
            // large product (a single chunk of 784 outputs ran on one core).
            int chunk = Chunk;
            if ((long)outputs * depth >= 2 * CpuParallel.ElementGrain)
            {
                int perCore = (outputs + CpuWorkers.Threads - 1) / CpuWorkers.Threads;
                chunk = Math.Min(Chunk, (perCore + 15) / 16 * 16);
            }

            var chunked = (Work: work, Chunk: chunk);
            CpuParallel.For((outputs + chunk - 1) / chunk, Math.Max(1, grain / chunk), chunked, static (c, start, end) =>
            {
                var w = c.Work;
                Span<T> sum = stackalloc T[Chunk];
                for (long index = start; index < end; index++)
                {
                    int j0 = (int)index * c.Chunk, width = Math.Min(c.Chunk, w.Outputs - j0);
                    var acc = sum[..width];
                    acc.Clear();
                    for (int p = 0; p < w.Depth; p++)
                    {
                        var row = new ReadOnlySpan<T>((T*)w.Matrix + ((long)p * w.Outputs) + j0, width);
                        TensorPrimitives.MultiplyAdd(row, ((T*)w.X)[p], acc, acc);
                    }

                    var ys = new Span<T>((T*)w.Y + j0, width);
                    for (int j = 0; j < width; j++)
                    {
                        ys[j] = Scaled(acc[j], w.Alpha, ys[j], w.Beta);
                    }
                }
            });
        }
    }

    /// <summary>alpha · value + beta · prior, ignoring prior (even NaN) when beta is zero.</summary>
    internal static T Scaled<T>(T value, T alpha, T prior, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsZero(beta) ? alpha * value : (alpha * value) + (beta * prior);
}
