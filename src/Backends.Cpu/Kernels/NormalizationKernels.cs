using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Layer normalization: forward and the input gradient one row at a time (vectorized passes over a
/// row that stays in L1, rows split over cores); the weight and bias gradients one block of
/// columns at a time, over every row.
/// </summary>
internal static class NormalizationKernels
{
    private const int ColumnBlock = 256;

    public static void LayerNorm<T>(T[] x, T[]? weight, T[]? bias, int rows, int cols, T eps, T[] y, T[] mean, T[] rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var state = (X: x, W: weight, B: bias, Cols: cols, Eps: eps, Y: y, Mean: mean, Rstd: rstd);
        CpuParallel.For(rows, RowGrain(cols), state, static (s, start, end) =>
        {
            T n = T.CreateTruncating(s.Cols);
            for (long r = start; r < end; r++)
            {
                var xr = s.X.AsSpan((int)(r * s.Cols), s.Cols);
                var yr = s.Y.AsSpan((int)(r * s.Cols), s.Cols);
                T m = TensorPrimitives.Sum<T>(xr) / n;
                TensorPrimitives.Subtract(xr, m, yr);
                T inverse = T.One / T.Sqrt((TensorPrimitives.SumOfSquares<T>(yr) / n) + s.Eps);
                TensorPrimitives.Multiply(yr, inverse, yr);
                if (s.W is not null)
                {
                    TensorPrimitives.Multiply(yr, s.W, yr);
                }

                if (s.B is not null)
                {
                    TensorPrimitives.Add(yr, s.B, yr);
                }

                s.Mean[r] = m;
                s.Rstd[r] = inverse;
            }
        });
    }

    public static void LayerNormBackward<T>(T[] gradY, T[] x, T[]? weight, T[] mean, T[] rstd, int rows, int cols, T[] gradX, T[]? gradWeight, T[]? gradBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var state = (G: gradY, X: x, W: weight, Mean: mean, Rstd: rstd, Rows: rows, Cols: cols, GX: gradX, GW: gradWeight, GB: gradBias);
        CpuParallel.For(rows, RowGrain(cols), state, static (s, start, end) =>
        {
            T n = T.CreateTruncating(s.Cols);
            var rented = ArrayPool<T>.Shared.Rent(s.Cols);
            try
            {
                var xHat = rented.AsSpan(0, s.Cols);
                for (long r = start; r < end; r++)
                {
                    int offset = (int)(r * s.Cols);
                    var gx = s.GX.AsSpan(offset, s.Cols);
                    var gy = s.G.AsSpan(offset, s.Cols);
                    TensorPrimitives.Subtract(s.X.AsSpan(offset, s.Cols), s.Mean[r], xHat);
                    TensorPrimitives.Multiply(xHat, s.Rstd[r], xHat);
                    if (s.W is not null)
                    {
                        TensorPrimitives.Multiply(gy, s.W, gx);
                    }
                    else
                    {
                        gy.CopyTo(gx);
                    }

                    // gx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂))
                    T meanG = TensorPrimitives.Sum<T>(gx) / n, meanGx = TensorPrimitives.Dot<T>(gx, xHat) / n;
                    TensorPrimitives.Subtract(gx, meanG, gx);
                    TensorPrimitives.MultiplyAdd(xHat, -meanGx, gx, gx);
                    TensorPrimitives.Multiply(gx, s.Rstd[r], gx);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        });

        if (gradWeight is not null || gradBias is not null)
        {
            int blocks = (cols + ColumnBlock - 1) / ColumnBlock;
            CpuParallel.For(blocks, 1, state, static (s, start, end) =>
            {
                Span<T> xHat = stackalloc T[ColumnBlock];
                for (long block = start; block < end; block++)
                {
                    int first = (int)block * ColumnBlock, width = Math.Min(ColumnBlock, s.Cols - first);
                    var gw = s.GW is null ? default : s.GW.AsSpan(first, width);
                    var gb = s.GB is null ? default : s.GB.AsSpan(first, width);
                    gw.Clear();
                    gb.Clear();
                    for (int r = 0; r < s.Rows; r++)
                    {
                        int offset = (r * s.Cols) + first;
                        var gy = s.G.AsSpan(offset, width);
                        if (s.GW is not null)
                        {
                            var xh = xHat[..width];
                            TensorPrimitives.Subtract(s.X.AsSpan(offset, width), s.Mean[r], xh);
                            TensorPrimitives.Multiply(xh, s.Rstd[r], xh);
                            TensorPrimitives.MultiplyAdd(gy, xh, gw, gw);
                        }

                        if (s.GB is not null)
                        {
                            TensorPrimitives.Add(gb, gy, gb);
                        }
                    }
                }
            });
        }
    }

    /// <summary>Rows per piece of work: about 64 K elements.</summary>
    private static long RowGrain(int cols) => Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, cols));
}
