using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded panel layouts the
/// micro-kernels stream through. The transpose flags are absorbed here, so all four
/// transpose variants share one kernel.
/// </summary>
internal static unsafe class GemmPacking
{
    // Rows ahead that the B pack prefetches into L1: each row of a wide slab starts a new page,
    // where the hardware prefetcher has to train again. Measured on a Zen 5 (2 threads): 2048²
    // 36.8 → 35.9 ms, 1024² 4.46 → 4.35 ms (medians of three alternating runs each).
    private const int PrefetchRows = 4;

    /// <summary>
    /// Packs rows [i0, i0 + mr) and columns [p0, p0 + kc) of op(A) into one MR-row panel:
    /// element (r, p) goes to <c>dst[p * mrFull + r]</c>; rows mr..mrFull-1 are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(bool transA, T* a, int lda, int i0, int p0, int mr, int kc, int mrFull, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (mr < mrFull)
        {
            new Span<T>(dst, kc * mrFull).Clear();
        }

        if (transA)
        {
            // Stored k×m: each p contributes mr contiguous values, one vector for a whole 8-row panel.
            T* src = a + ((long)p0 * lda) + i0;
            int bytes = mr == mrFull ? mr * sizeof(T) : 0;
            for (int p = 0; p < kc; p++, src += lda, dst += mrFull)
            {
                if (bytes == 32 && Vector256.IsHardwareAccelerated)
                {
                    Vector256.Load(src).Store(dst);
                }
                else if (bytes == 64 && Vector512.IsHardwareAccelerated)
                {
                    Vector512.Load(src).Store(dst);
                }
                else
                {
                    for (int r = 0; r < mr; r++)
                    {
                        dst[r] = src[r];
                    }
                }
            }
        }
        else
        {
            // Stored m×k: full 8-row float panels go through 8×8 AVX transposes; the rest walks
            // each row contiguously and scatters with stride mrFull.
            int pDone = 0;
            if (typeof(T) == typeof(float) && Avx.IsSupported && mr == 8 && mrFull == 8)
            {
                pDone = kc & ~7;
                float* src = (float*)a + ((long)i0 * lda) + p0;
                for (int p = 0; p < pDone; p += 8)
                {
                    Transpose8x8(src + p, lda, (float*)dst + (p * 8), 8);
                }
            }

            for (int r = 0; r < mr; r++)
            {
                T* src = a + ((long)(i0 + r) * lda) + p0;
                T* d = dst + r;
                for (int p = pDone; p < kc; p++)
                {
                    d[p * mrFull] = src[p];
                }
            }
        }
    }

    /// <summary>
    /// Packs rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ceil(nc / nr) panels of
    /// kc×nr: panel q holds columns j0 + q·nr.., element (p, j) at <c>dst[q * kc * nr + p * nr + j]</c>;
    /// columns past nc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(bool transB, T* b, int ldb, int p0, int j0, int kc, int nc, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int whole = nc / nr * nr;
        if (whole < nc)
        {
            new Span<T>(dst + ((long)whole * kc), kc * nr).Clear();
        }

        if (!transB)
        {
            PackBRows(b + ((long)p0 * ldb) + j0, ldb, kc, nc, nr, dst);
            return;
        }

        for (int jp = 0; jp < nc; jp += nr, dst += kc * nr)
        {
            PackBTransposed(b + ((long)(j0 + jp) * ldb) + p0, ldb, kc, Math.Min(nr, nc - jp), nr, dst);
        }
    }

    // Stored k×n: each row of the slab is read once, front to back (a stream the hardware
    // prefetcher follows), and its runs of nr columns go to the panels; a panel at a time instead
    // would step through the rows at the stride ldb, a page apart for a 1024-column matrix.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBRows<T>(T* src, int ldb, int kc, int nc, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long panel = (long)kc * nr;
        int whole = nc / nr * nr;
        for (int p = 0; p < kc; p++, src += ldb)
        {
            T* d = dst + ((long)p * nr);
            int j = 0;
            for (; j < whole; j += nr, d += panel)
            {
                if (Sse.IsSupported)
                {
                    for (int k = 0; k < nr; k += 64 / sizeof(T))
                    {
                        Sse.Prefetch0(src + (PrefetchRows * (long)ldb) + j + k);
                    }
                }

                CopyRun(src + j, d, nr);
            }

            new ReadOnlySpan<T>(src + j, nc - j).CopyTo(new Span<T>(d, nc - j));
        }
    }

    // Copies nr (a multiple of the vector width) elements.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun<T>(T* from, T* to, int nr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated)
        {
            for (int k = 0; k < nr; k += Vector512<T>.Count)
            {
                Vector512.Load(from + k).Store(to + k);
            }
        }
        else
        {
            for (int k = 0; k < nr; k += Vector<T>.Count)
            {
                Vector.Load(from + k).Store(to + k);
            }
        }
    }

    // Stored n×k: column j of the panel is a contiguous row of the stored matrix. Float uses 8×8
    // AVX register transposes for the bulk; the rest (and double) is copied element by element.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBTransposed<T>(T* src, int ldb, int kc, int width, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pDone = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported && width == nr && nr % 8 == 0)
        {
            pDone = kc & ~7;
            for (int j = 0; j < width; j += 8)
            {
                for (int p = 0; p < pDone; p += 8)
                {
                    Transpose8x8((float*)src + ((long)j * ldb) + p, ldb, (float*)dst + ((long)p * nr) + j, nr);
                }
            }
        }

        for (int j = 0; j < width; j++)
        {
            T* s = src + ((long)j * ldb);
            T* d = dst + j;
            for (int p = pDone; p < kc; p++)
            {
                d[p * nr] = s[p];
            }
        }
    }

    /// <summary>dst[q * ldd + r] = src[r * lds + q] for r, q &lt; 8 (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, int lds, float* dst, int ldd) => Transpose8x8(
        Avx.LoadVector256(src), Avx.LoadVector256(src + lds), Avx.LoadVector256(src + (2 * lds)), Avx.LoadVector256(src + (3 * lds)),
        Avx.LoadVector256(src + (4 * lds)), Avx.LoadVector256(src + (5 * lds)), Avx.LoadVector256(src + (6 * lds)), Avx.LoadVector256(src + (7 * lds)),
        dst, ldd);

    /// <summary>Stores the 8×8 block whose rows are r0..r7 transposed: element q of row r goes to <c>dst[q * ldd + r]</c> (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, int ldd)
    {
        // Interleave pairs of rows, then pairs of pairs: u_i holds columns i and i+4 of four rows.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + (4 * ldd), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + (5 * ldd), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + (6 * ldd), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + (7 * ldd), Avx.Permute2x128(u3, u7, 0x31));
    }
}
