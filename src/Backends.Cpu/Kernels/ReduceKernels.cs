using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Reductions of x [outer, axis, inner] along the middle dimension, plus argmax and its scatter.</summary>
internal static class ReduceKernels
{
    public static void Reduce<T>(ReduceOp op, T[] x, int outer, int axis, int inner, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (outer == 1 && inner == 1 && axis >= 2 * CpuParallel.ElementGrain)
        {
            ReduceAll(op, x, axis, y);
            return;
        }

        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1L, (long)axis * inner));
        CpuParallel.For(outer, grain, (X: x, Y: y, Op: op, Axis: axis, Inner: inner), static (s, start, end) =>
        {
            for (long o = start; o < end; o++)
            {
                ReduceSlice(s.Op, s.X.AsSpan((int)(o * s.Axis * s.Inner), s.Axis * s.Inner), s.Axis, s.Inner, s.Y.AsSpan((int)(o * s.Inner), s.Inner));
            }
        });
    }

    public static void ArgMax<T>(T[] x, int outer, int axis, int inner, T[] indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        {
            var slice = x.AsSpan(o * axis * inner, axis * inner);
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                if (inner == 1)
                {
                    best = TensorPrimitives.IndexOfMax<T>(slice);
                }
                else
                {
                    for (int k = 1; k < axis; k++)
                    {
                        T v = slice[(k * inner) + i], b = slice[(best * inner) + i];
                        if (v > b || (T.IsNaN(v) && !T.IsNaN(b)))
                        {
                            best = k;
                        }
                    }
                }

                indices[(o * inner) + i] = T.CreateTruncating(best);
            }
        }
    }

    public static void Scatter<T>(T[] source, T[] indices, int outer, int axis, int inner, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Array.Clear(y);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int k = int.CreateTruncating(indices[(o * inner) + i]);
                if ((uint)k >= (uint)axis)
                {
                    throw new ArgumentException($"ScatterAlongAxis: index {indices[(o * inner) + i]} at [{o}, {i}] is outside [0, {axis}) on cpu.");
                }

                y[(((o * axis) + k) * inner) + i] = source[(o * inner) + i];
            }
        }
    }

    /// <summary>
    /// y[0] = the sum or maximum of x[0..count), long enough to split: each core reduces a run,
    /// then the runs' results are reduced in order (a sum adds in a different order than one
    /// pass would; the result does not depend on timing, only on the number of cores).
    /// </summary>
    private static void ReduceAll<T>(ReduceOp op, T[] x, int count, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int parts = Math.Min(CpuWorkers.Threads, (int)(count / CpuParallel.ElementGrain));
        T[] partials = ArrayPool<T>.Shared.Rent(parts);
        try
        {
            CpuParallel.For(parts, 1, (X: x, Op: op, Count: count, Parts: parts, Partials: partials), static (s, start, end) =>
            {
                for (long part = start; part < end; part++)
                {
                    int first = (int)(s.Count * part / s.Parts), last = (int)(s.Count * (part + 1) / s.Parts);
                    var run = new ReadOnlySpan<T>(s.X, first, last - first);
                    s.Partials[part] = s.Op == ReduceOp.Sum ? TensorPrimitives.Sum(run) : TensorPrimitives.Max(run);
                }
            });

            var results = new ReadOnlySpan<T>(partials, 0, parts);
            y[0] = op == ReduceOp.Sum ? TensorPrimitives.Sum(results) : TensorPrimitives.Max(results);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(partials);
        }
    }

    private static void ReduceSlice<T>(ReduceOp op, ReadOnlySpan<T> x, int axis, int inner, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (axis == 0)
        {
            y.Fill(op == ReduceOp.Sum ? T.Zero : T.NegativeInfinity);
            return;
        }

        if (inner == 1)
        {
            y[0] = op == ReduceOp.Sum ? TensorPrimitives.Sum(x) : TensorPrimitives.Max(x);
            return;
        }

        x[..inner].CopyTo(y);
        for (int k = 1; k < axis; k++)
        {
            var row = x.Slice(k * inner, inner);
            if (op == ReduceOp.Sum)
            {
                TensorPrimitives.Add(y, row, y);
            }
            else
            {
                TensorPrimitives.Max(y, row, y);
            }
        }
    }
}
