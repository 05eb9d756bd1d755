using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Float pooling of any window at stride 1 or 2 along the rows (MaxPool2d(3, 2, 1), AvgPool2d(3,
/// 1, 1), ...), eight outputs of a row at a time with AVX2: for each tap of the window, the eight
/// outputs' values are one load (stride 1) or the even columns of two (stride 2). Only outputs
/// whose windows lie within the image's columns go this way (the rows of a window are clipped by
/// the caller); the taps are taken in the per-window loop's order, so the values, the first
/// maxima and the sums are those of <see cref="PoolKernels"/>' loop. The average pooling's
/// gradient goes back the same way (the max pooling's, through its stored positions, does not).
/// </summary>
internal static unsafe class RowPooling
{
    private const int Lanes = 8;

    /// <summary>Whether the pooling is undilated along the rows at stride 1 or 2, on a machine with AVX2.</summary>
    public static bool Applies(in ConvGeometry g) => Avx2.IsSupported && g.DilationW == 1 && (g.StrideW == 1 || g.StrideW == 2);

    /// <summary>
    /// The outputs [first, last) of a row that this pools: windows within the image's columns, and
    /// (at stride 2) every load of sixteen values within the row.
    /// </summary>
    public static (int First, int Last) Span(in ConvGeometry g)
    {
        int s = g.StrideW;
        int first = Math.Min(g.OutWidth, (g.PadW + s - 1) / s);
        int reach = g.Width + g.PadW - g.KernelW - (s == 2 ? Lanes : 0);
        int last = reach < 0 ? 0 : Math.Min(g.OutWidth, (reach / s) + 1);
        return (first, Math.Max(first, last));
    }

    /// <summary>
    /// Outputs [first, returned) of one output row, from window rows [iLo, iHi) starting at plane
    /// row <paramref name="ih0"/>: the maxima and their window positions (when
    /// <paramref name="positions"/> is not null), or the averages. Stops before <paramref name="last"/>
    /// at a multiple of eight; the caller pools the rest.
    /// </summary>
    public static int Row(float* plane, in ConvGeometry g, int ih0, int iLo, int iHi, int first, int last, bool max, float* y, float* positions)
    {
        int s = g.StrideW, ow = first;
        var scale = Vector256.Create(1f / (g.KernelH * g.KernelW));
        for (; ow + Lanes <= last; ow += Lanes)
        {
            float* column = plane + (ow * s) - g.PadW;
            var best = Vector256.Create(float.NegativeInfinity);
            var position = Vector256<float>.Zero;
            var sum = Vector256<float>.Zero;
            for (int i = iLo; i < iHi; i++)
            {
                float* row = column + ((long)(ih0 + (i * g.DilationH)) * g.Width);
                for (int j = 0; j < g.KernelW; j++)
                {
                    var value = s == 1 ? Avx.LoadVector256(row + j) : Even(row + j);
                    if (max)
                    {
                        var take = Vector256.GreaterThan(value, best) | (~Vector256.Equals(value, value) & Vector256.Equals(best, best));
                        best = Vector256.ConditionalSelect(take, value, best);
                        position = Vector256.ConditionalSelect(take, Vector256.Create((float)((i * g.KernelW) + j)), position);
                    }
                    else
                    {
                        sum += value;
                    }
                }
            }

            if (!max)
            {
                Avx.Store(y + ow, sum * scale);
                continue;
            }

            Avx.Store(y + ow, best);
            if (positions is not null)
            {
                Avx.Store(positions + ow, position);
            }
        }

        return ow;
    }

    /// <summary>
    /// The average pooling's input gradient for outputs [first, returned) of one output row: each
    /// output's share (its gradient over the window size) added to every value of its window, in
    /// window rows [iLo, iHi) from plane row <paramref name="ih0"/>. Eight outputs at a time (at
    /// stride 2 the shares go to the even columns of sixteen), a whole row of outputs per tap, so
    /// no add reads what the one before it has just stored; stops before <paramref name="last"/>.
    /// </summary>
    public static int RowBackward(float* gradPlane, in ConvGeometry g, int ih0, int iLo, int iHi, int first, int last, float* gradY)
    {
        int s = g.StrideW, end = first + ((last - first) / Lanes * Lanes);
        var scale = Vector256.Create(1f / (g.KernelH * g.KernelW));
        for (int i = iLo; i < iHi; i++)
        {
            float* row = gradPlane + ((long)(ih0 + (i * g.DilationH)) * g.Width) - g.PadW;
            for (int j = 0; j < g.KernelW; j++)
            {
                for (int ow = first; ow < end; ow += Lanes)
                {
                    var share = Avx.LoadVector256(gradY + ow) * scale;
                    float* target = row + (ow * s) + j;
                    if (s == 1)
                    {
                        Avx.Store(target, Avx.LoadVector256(target) + share);
                        continue;
                    }

                    var low = Avx.UnpackLow(share, Vector256<float>.Zero);
                    var high = Avx.UnpackHigh(share, Vector256<float>.Zero);
                    Avx.Store(target, Avx.LoadVector256(target) + Avx.Permute2x128(low, high, 0x20));
                    Avx.Store(target + Lanes, Avx.LoadVector256(target + Lanes) + Avx.Permute2x128(low, high, 0x31));
                }
            }
        }

        return end;
    }

    // The even columns of sixteen consecutive values, in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Even(float* source)
    {
        var even = Avx.Shuffle(Avx.LoadVector256(source), Avx.LoadVector256(source + 8), 0b10_00_10_00);
        return Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle();
    }
}
