using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Float pooling of 2×2 windows at stride 2 without padding (MaxPool2d(2), AvgPool2d(2)), eight
/// outputs at a time with AVX2: each input row's sixteen values are split into the even and the
/// odd columns, whose four vectors are the windows' four taps in order. Gives the same values and
/// positions as <see cref="PoolKernels"/>' per-window loop (the first maximum, the first NaN; the
/// sums in the same order).
/// </summary>
internal static unsafe class PairPooling
{
    /// <summary>Whether the pooling is 2×2 at stride 2, unpadded and undilated, on a machine with AVX2.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Avx2.IsSupported && g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2
        && g.PadH == 0 && g.PadW == 0 && g.DilationH == 1 && g.DilationW == 1;

    /// <summary>
    /// Outputs [0, returned) of one output row, from the window's two input rows: the maxima and
    /// their window positions (when <paramref name="positions"/> is not null), or the averages.
    /// The caller pools the rest of the row.
    /// </summary>
    public static int Row(float* top, float* bottom, int outWidth, bool max, float* y, float* positions)
    {
        int ow = 0;
        for (; ow + 8 <= outWidth; ow += 8)
        {
            var (topEven, topOdd) = Split(top + (2 * ow));
            var (bottomEven, bottomOdd) = Split(bottom + (2 * ow));
            if (!max)
            {
                Avx.Store(y + ow, (((topEven + topOdd) + bottomEven) + bottomOdd) * Vector256.Create(0.25f));
                continue;
            }

            var best = topEven;
            var position = Vector256<float>.Zero;
            Take(topOdd, 1, ref best, ref position);
            Take(bottomEven, 2, ref best, ref position);
            Take(bottomOdd, 3, ref best, ref position);
            Avx.Store(y + ow, best);
            if (positions is not null)
            {
                Avx.Store(positions + ow, position);
            }
        }

        return ow;
    }

    // The even and the odd columns of sixteen consecutive values, in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Split(float* source)
    {
        var low = Avx.LoadVector256(source);
        var high = Avx.LoadVector256(source + 8);

        // Per 128-bit lane the shuffles give columns [0, 2, 8, 10 | 4, 6, 12, 14] (odd: one more);
        // the 64-bit permute puts the pairs in order.
        var even = Avx.Shuffle(low, high, 0b10_00_10_00);
        var odd = Avx.Shuffle(low, high, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    // A later tap wins when greater, or when NaN while the best is not (branch-free).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector256<float> value, float tap, ref Vector256<float> best, ref Vector256<float> position)
    {
        var take = Vector256.GreaterThan(value, best) | (~Vector256.Equals(value, value) & Vector256.Equals(best, best));
        best = Vector256.ConditionalSelect(take, value, best);
        position = Vector256.ConditionalSelect(take, Vector256.Create(tap), position);
    }
}
