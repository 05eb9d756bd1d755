using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Float pooling of 2×2 windows at stride 2 without padding (MaxPool2d(2), AvgPool2d(2)), eight
/// outputs at a time with AVX2, then four with SSE: each input row's values are split into the
/// even and the odd columns, whose four vectors are the windows' four taps in order. Gives the
/// same values and positions as <see cref="PoolKernels"/>' per-window loop (the first maximum,
/// the first NaN; the sums in the same order). The gradient goes back the same way: the windows
/// do not overlap, so each input value is its window's share, written without a read.
/// </summary>
internal static unsafe class PairPooling
{
    /// <summary>Whether the pooling is 2×2 at stride 2, unpadded and undilated, on a machine with AVX2.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Avx2.IsSupported && g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2
        && g.PadH == 0 && g.PadW == 0 && g.DilationH == 1 && g.DilationW == 1;

    /// <summary>
    /// Whether the windows tile every plane (even height and width) and the output rows are a
    /// multiple of four wide: <see cref="Row"/> pools every output, <see cref="RowBackward"/>
    /// writes every input value, and the rows of consecutive planes follow one another.
    /// </summary>
    public static bool Tiles(in ConvGeometry g) =>
        Applies(g) && g.Height == 2 * g.OutHeight && g.Width == 2 * g.OutWidth && g.OutWidth % 4 == 0;

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

        if (ow + 4 <= outWidth)
        {
            var (topEven, topOdd) = Split4(top + (2 * ow));
            var (bottomEven, bottomOdd) = Split4(bottom + (2 * ow));
            if (!max)
            {
                Sse.Store(y + ow, (((topEven + topOdd) + bottomEven) + bottomOdd) * Vector128.Create(0.25f));
                return ow + 4;
            }

            var best = topEven;
            var position = Vector128<float>.Zero;
            Take(topOdd, 1, ref best, ref position);
            Take(bottomEven, 2, ref best, ref position);
            Take(bottomOdd, 3, ref best, ref position);
            Sse.Store(y + ow, best);
            if (positions is not null)
            {
                Sse.Store(positions + ow, position);
            }

            ow += 4;
        }

        return ow;
    }

    /// <summary>
    /// The input gradient of outputs [0, returned) of one output row, written over the window's
    /// two input rows: each output's gradient to its window's max position (from
    /// <paramref name="positions"/>, zero elsewhere), or a quarter of it to every tap. The caller
    /// does the rest of the row.
    /// </summary>
    public static int RowBackward(float* gradY, float* positions, int outWidth, bool max, float* top, float* bottom)
    {
        int ow = 0;
        for (; ow + 8 <= outWidth; ow += 8)
        {
            var g = Avx.LoadVector256(gradY + ow);
            Vector256<float> t0, t1, t2, t3;
            if (max)
            {
                var position = Avx.LoadVector256(positions + ow);
                t0 = Share(g, position, 0);
                t1 = Share(g, position, 1);
                t2 = Share(g, position, 2);
                t3 = Share(g, position, 3);
            }
            else
            {
                t0 = t1 = t2 = t3 = g * Vector256.Create(0.25f);
            }

            Interleave(t0, t1, top + (2 * ow));
            Interleave(t2, t3, bottom + (2 * ow));
        }

        if (ow + 4 <= outWidth)
        {
            var g = Sse.LoadVector128(gradY + ow);
            Vector128<float> t0, t1, t2, t3;
            if (max)
            {
                var position = Sse.LoadVector128(positions + ow);
                t0 = Share(g, position, 0);
                t1 = Share(g, position, 1);
                t2 = Share(g, position, 2);
                t3 = Share(g, position, 3);
            }
            else
            {
                t0 = t1 = t2 = t3 = g * Vector128.Create(0.25f);
            }

            Interleave(t0, t1, top + (2 * ow));
            Interleave(t2, t3, bottom + (2 * ow));
            ow += 4;
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

    // The even and the odd columns of eight consecutive values, in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Even, Vector128<float> Odd) Split4(float* source)
    {
        var low = Sse.LoadVector128(source);
        var high = Sse.LoadVector128(source + 4);
        return (Sse.Shuffle(low, high, 0b10_00_10_00), Sse.Shuffle(low, high, 0b11_01_11_01));
    }

    // Stores even[0], odd[0], even[1], odd[1], ... (the inverse of Split).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(Vector256<float> even, Vector256<float> odd, float* target)
    {
        // Per 128-bit lane the unpacks give pairs [0, 1 | 4, 5] and [2, 3 | 6, 7]; the lane permutes put them in order.
        var low = Avx.UnpackLow(even, odd);
        var high = Avx.UnpackHigh(even, odd);
        Avx.Store(target, Avx.Permute2x128(low, high, 0x20));
        Avx.Store(target + 8, Avx.Permute2x128(low, high, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(Vector128<float> even, Vector128<float> odd, float* target)
    {
        Sse.Store(target, Sse.UnpackLow(even, odd));
        Sse.Store(target + 4, Sse.UnpackHigh(even, odd));
    }

    // The gradient where the window's maximum sits at this tap, zero elsewhere.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Share(Vector256<float> gradient, Vector256<float> position, float tap) =>
        Vector256.ConditionalSelect(Vector256.Equals(position, Vector256.Create(tap)), gradient, Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Share(Vector128<float> gradient, Vector128<float> position, float tap) =>
        Vector128.ConditionalSelect(Vector128.Equals(position, Vector128.Create(tap)), gradient, Vector128<float>.Zero);

    // A later tap wins when greater, or when NaN while the best is not (branch-free).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector256<float> value, float tap, ref Vector256<float> best, ref Vector256<float> position)
    {
        var take = Vector256.GreaterThan(value, best) | (~Vector256.Equals(value, value) & Vector256.Equals(best, best));
        best = Vector256.ConditionalSelect(take, value, best);
        position = Vector256.ConditionalSelect(take, Vector256.Create(tap), position);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector128<float> value, float tap, ref Vector128<float> best, ref Vector128<float> position)
    {
        var take = Vector128.GreaterThan(value, best) | (~Vector128.Equals(value, value) & Vector128.Equals(best, best));
        best = Vector128.ConditionalSelect(take, value, best);
        position = Vector128.ConditionalSelect(take, Vector128.Create(tap), position);
    }
}
