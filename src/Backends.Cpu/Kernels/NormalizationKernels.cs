using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Layer normalization. Forward and the input gradient work one row at a time (rows split over
/// cores): the statistics in passes that only read the row, which stays in L1, then one pass that
/// writes. The weight and bias gradients work one block of columns at a time, over every row.
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
                T m = TensorPrimitives.Sum<T>(xr) / n;
                T inverse = T.One / T.Sqrt((SquaredDeviations(xr, m) / n) + s.Eps);
                Normalize(xr, m, inverse, s.W, s.B, s.Y.AsSpan((int)(r * s.Cols), s.Cols));
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
            for (long r = start; r < end; r++)
            {
                int offset = (int)(r * s.Cols);
                var xr = s.X.AsSpan(offset, s.Cols);
                var gy = s.G.AsSpan(offset, s.Cols);
                var (sumG, sumGx) = GradientSums(xr, gy, s.W, s.Mean[r], s.Rstd[r]);
                InputGradient(xr, gy, s.W, s.Mean[r], s.Rstd[r], sumG / n, sumGx / n, s.GX.AsSpan(offset, s.Cols));
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

    /// <summary>Σ (x - m)², reading x once.</summary>
    private static T SquaredDeviations<T>(ReadOnlySpan<T> x, T m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        var vm = Vector256.Create(m);
        var acc = Vector256<T>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var d = Vector256.LoadUnsafe(ref rx, (nuint)i) - vm;
            acc += d * d;
        }

        T sum = Vector256.Sum(acc);
        for (; i < x.Length; i++)
        {
            T d = x[i] - m;
            sum += d * d;
        }

        return sum;
    }

    /// <summary>y = (x - m)·rstd·w + b in one pass (w and b optional).</summary>
    private static void Normalize<T>(ReadOnlySpan<T> x, T m, T rstd, T[]? w, T[]? b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        var vm = Vector256.Create(m);
        var vr = Vector256.Create(rstd);
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var v = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
            v = w is null ? v : v * Vector256.Create<T>(w.AsSpan(i));
            v = b is null ? v : v + Vector256.Create<T>(b.AsSpan(i));
            v.StoreUnsafe(ref ry, (nuint)i);
        }

        for (; i < x.Length; i++)
        {
            T v = (x[i] - m) * rstd;
            v = w is null ? v : v * w[i];
            y[i] = b is null ? v : v + b[i];
        }
    }

    /// <summary>Σ ĝ and Σ ĝ·x̂ for ĝ = gy·w and x̂ = (x - m)·rstd, reading each row once.</summary>
    private static (T SumG, T SumGx) GradientSums<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gy, T[]? w, T m, T rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rg = ref MemoryMarshal.GetReference(gy);
        var vm = Vector256.Create(m);
        var vr = Vector256.Create(rstd);
        Vector256<T> sumG = Vector256<T>.Zero, sumGx = Vector256<T>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
            g = w is null ? g : g * Vector256.Create<T>(w.AsSpan(i));
            sumG += g;
            sumGx += g * ((Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr);
        }

        T a = Vector256.Sum(sumG), b = Vector256.Sum(sumGx);
        for (; i < x.Length; i++)
        {
            T g = w is null ? gy[i] : gy[i] * w[i];
            a += g;
            b += g * (x[i] - m) * rstd;
        }

        return (a, b);
    }

    /// <summary>gx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) in one pass.</summary>
    private static void InputGradient<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gy, T[]? w, T m, T rstd, T meanG, T meanGx, Span<T> gx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rg = ref MemoryMarshal.GetReference(gy);
        ref T rgx = ref MemoryMarshal.GetReference(gx);
        Vector256<T> vm = Vector256.Create(m), vr = Vector256.Create(rstd), vMeanG = Vector256.Create(meanG), vMeanGx = Vector256.Create(meanGx);
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
            g = w is null ? g : g * Vector256.Create<T>(w.AsSpan(i));
            var xHat = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
            (vr * (g - vMeanG - (xHat * vMeanGx))).StoreUnsafe(ref rgx, (nuint)i);
        }

        for (; i < x.Length; i++)
        {
            T g = w is null ? gy[i] : gy[i] * w[i];
            gx[i] = rstd * (g - meanG - ((x[i] - m) * rstd * meanGx));
        }
    }

    /// <summary>Rows per piece of work: about 64 K elements.</summary>
    private static long RowGrain(int cols) => Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, cols));
}
