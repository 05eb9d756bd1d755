using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Layer normalization, one row at a time (rows split over cores): the statistics in passes that
/// only read the row, which stays in L1, then one pass that writes the result (and, backward, adds
/// to each part's weight and bias gradient sums).
/// </summary>
internal static class NormalizationKernels
{
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
        // Each part of the rows adds its weight and bias gradients into its own partial sums, in
        // the same pass that writes gradX; the partial sums are added up at the end.
        int parts = (int)Math.Clamp(rows / RowGrain(cols), 1, CpuWorkers.Threads);
        bool parameters = gradWeight is not null || gradBias is not null;
        var partials = parameters ? ArrayPool<T>.Shared.Rent(parts * 2 * cols) : null;
        try
        {
            partials?.AsSpan(0, parts * 2 * cols).Clear();
            var state = (G: gradY, X: x, W: weight, Mean: mean, Rstd: rstd, Rows: rows, Cols: cols, GX: gradX, Parts: parts, Partials: partials);
            CpuParallel.For(parts, 1, state, static (s, firstPart, endPart) =>
            {
                T n = T.CreateTruncating(s.Cols);
                for (long part = firstPart; part < endPart; part++)
                {
                    var sums = s.Partials is null ? default : s.Partials.AsSpan((int)part * 2 * s.Cols, 2 * s.Cols);
                    for (long r = s.Rows * part / s.Parts; r < s.Rows * (part + 1) / s.Parts; r++)
                    {
                        int offset = (int)(r * s.Cols);
                        var xr = s.X.AsSpan(offset, s.Cols);
                        var gy = s.G.AsSpan(offset, s.Cols);
                        var (sumG, sumGx) = GradientSums(xr, gy, s.W, s.Mean[r], s.Rstd[r]);
                        InputGradient(xr, gy, s.W, s.Mean[r], s.Rstd[r], sumG / n, sumGx / n, s.GX.AsSpan(offset, s.Cols), sums);
                    }
                }
            });

            for (int part = 0; part < parts && partials is not null; part++)
            {
                var sums = partials.AsSpan(part * 2 * cols, 2 * cols);
                if (gradWeight is not null)
                {
                    AddOrCopy(sums[..cols], gradWeight, part == 0);
                }

                if (gradBias is not null)
                {
                    AddOrCopy(sums[cols..], gradBias, part == 0);
                }
            }
        }
        finally
        {
            if (partials is not null)
            {
                ArrayPool<T>.Shared.Return(partials);
            }
        }
    }

    /// <summary>Copies a part's partial sums into the total (the first part) or adds them to it.</summary>
    public static void AddOrCopy<T>(ReadOnlySpan<T> partial, Span<T> total, bool first)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (first)
        {
            partial.CopyTo(total);
        }
        else
        {
            TensorPrimitives.Add(total, partial, total);
        }
    }

    /// <summary>Σ (x - m)², reading x once.</summary>
    private static T SquaredDeviations<T>(ReadOnlySpan<T> x, T m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Four independent sums, so the adds do not wait on each other.
        ref T rx = ref MemoryMarshal.GetReference(x);
        var vm = Vector256.Create(m);
        Vector256<T> a0 = Vector256<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
        int width = Vector256<T>.Count, i = 0;
        for (; i <= x.Length - (4 * width); i += 4 * width)
        {
            var d0 = Vector256.LoadUnsafe(ref rx, (nuint)i) - vm;
            var d1 = Vector256.LoadUnsafe(ref rx, (nuint)(i + width)) - vm;
            var d2 = Vector256.LoadUnsafe(ref rx, (nuint)(i + (2 * width))) - vm;
            var d3 = Vector256.LoadUnsafe(ref rx, (nuint)(i + (3 * width))) - vm;
            (a0, a1, a2, a3) = (a0 + (d0 * d0), a1 + (d1 * d1), a2 + (d2 * d2), a3 + (d3 * d3));
        }

        for (; i <= x.Length - width; i += width)
        {
            var d = Vector256.LoadUnsafe(ref rx, (nuint)i) - vm;
            a0 += d * d;
        }

        T sum = Vector256.Sum((a0 + a1) + (a2 + a3));
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
        ref T rw = ref ArrayStart(w);
        ref T rb = ref ArrayStart(b);
        bool scale = w is not null, shift = b is not null;
        var vm = Vector256.Create(m);
        var vr = Vector256.Create(rstd);
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var v = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
            v = scale ? v * Vector256.LoadUnsafe(ref rw, (nuint)i) : v;
            v = shift ? v + Vector256.LoadUnsafe(ref rb, (nuint)i) : v;
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
        ref T rw = ref ArrayStart(w);
        bool scale = w is not null;
        var vm = Vector256.Create(m);
        var vr = Vector256.Create(rstd);

        // Two pairs of independent sums, so the adds do not wait on each other.
        Vector256<T> sumG0 = Vector256<T>.Zero, sumGx0 = sumG0, sumG1 = sumG0, sumGx1 = sumG0;
        int width = Vector256<T>.Count, i = 0;
        for (; i <= x.Length - (2 * width); i += 2 * width)
        {
            var g0 = Vector256.LoadUnsafe(ref rg, (nuint)i);
            var g1 = Vector256.LoadUnsafe(ref rg, (nuint)(i + width));
            g0 = scale ? g0 * Vector256.LoadUnsafe(ref rw, (nuint)i) : g0;
            g1 = scale ? g1 * Vector256.LoadUnsafe(ref rw, (nuint)(i + width)) : g1;
            sumG0 += g0;
            sumG1 += g1;
            sumGx0 += g0 * ((Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr);
            sumGx1 += g1 * ((Vector256.LoadUnsafe(ref rx, (nuint)(i + width)) - vm) * vr);
        }

        for (; i <= x.Length - width; i += width)
        {
            var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
            g = scale ? g * Vector256.LoadUnsafe(ref rw, (nuint)i) : g;
            sumG0 += g;
            sumGx0 += g * ((Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr);
        }

        T a = Vector256.Sum(sumG0 + sumG1), b = Vector256.Sum(sumGx0 + sumGx1);
        for (; i < x.Length; i++)
        {
            T g = w is null ? gy[i] : gy[i] * w[i];
            a += g;
            b += g * (x[i] - m) * rstd;
        }

        return (a, b);
    }

    /// <summary>
    /// gx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) in one pass, adding gy·x̂ and gy to the first and
    /// second half of <paramref name="sums"/> when it is not empty (the parameter gradients).
    /// </summary>
    private static void InputGradient<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gy, T[]? w, T m, T rstd, T meanG, T meanGx, Span<T> gx, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rg = ref MemoryMarshal.GetReference(gy);
        ref T rgx = ref MemoryMarshal.GetReference(gx);
        ref T rsw = ref MemoryMarshal.GetReference(sums);
        ref T rsb = ref Unsafe.Add(ref rsw, x.Length);
        ref T rw = ref ArrayStart(w);
        bool accumulate = !sums.IsEmpty, scale = w is not null;
        Vector256<T> vm = Vector256.Create(m), vr = Vector256.Create(rstd), vMeanG = Vector256.Create(meanG), vMeanGx = Vector256.Create(meanGx);
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var raw = Vector256.LoadUnsafe(ref rg, (nuint)i);
            var g = scale ? raw * Vector256.LoadUnsafe(ref rw, (nuint)i) : raw;
            var xHat = (Vector256.LoadUnsafe(ref rx, (nuint)i) - vm) * vr;
            (vr * (g - vMeanG - (xHat * vMeanGx))).StoreUnsafe(ref rgx, (nuint)i);
            if (accumulate)
            {
                (Vector256.LoadUnsafe(ref rsw, (nuint)i) + (raw * xHat)).StoreUnsafe(ref rsw, (nuint)i);
                (Vector256.LoadUnsafe(ref rsb, (nuint)i) + raw).StoreUnsafe(ref rsb, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            T g = w is null ? gy[i] : gy[i] * w[i];
            T xHat = (x[i] - m) * rstd;
            gx[i] = rstd * (g - meanG - (xHat * meanGx));
            if (accumulate)
            {
                sums[i] += gy[i] * xHat;
                sums[x.Length + i] += gy[i];
            }
        }
    }

    /// <summary>The first element of <paramref name="array"/>, or a null reference when there is no array (never read then).</summary>
    private static ref T ArrayStart<T>(T[]? array) => ref array is null ? ref Unsafe.NullRef<T>() : ref MemoryMarshal.GetArrayDataReference(array);

    /// <summary>Rows per piece of work: about 64 K elements.</summary>
    private static long RowGrain(int cols) => Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, cols));
}
