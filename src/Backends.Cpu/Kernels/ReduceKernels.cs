using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Reductions of x [outer, axis, inner] along the middle dimension, plus argmax and its scatter.</summary>
internal static class ReduceKernels
{
    public static void Reduce<T>(ReduceOp op, T[] x, int outer, int axis, int inner, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
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
