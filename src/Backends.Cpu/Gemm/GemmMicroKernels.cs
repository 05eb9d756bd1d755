using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// Register-blocked GEMM micro-kernels. Each kernel multiplies a packed MR×kc panel of op(A)
/// (stored k-major: element (r, p) at <c>a[p * MR + r]</c>) by a packed kc×NR panel of op(B)
/// (element (p, j) at <c>b[p * NR + j]</c>) and writes the full MR×NR block
/// <c>dst = alpha · product + beta · dst</c> (row stride <c>ldd</c>; dst is not read when beta is
/// zero): straight into C for a whole tile, into a scratch tile for <see cref="WriteBack"/> at
/// the ragged edges. NR is two vectors wide; every row of the block lives in two accumulator
/// registers for the whole k loop.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>
    /// Rows of the Vector512 kernel: 16 zmm accumulators + 2 B vectors + 1 broadcast. 8 measured
    /// as fast as 12 on Zen 4 at 1024² and wastes no rows for the common batch sizes 32/64/128.
    /// On a Zen 5 (two 512-bit FMA pipes per core) the 8×32, 12×32, 14×32, 8×48 and 6×64 kernels
    /// ran at 255–267 GFLOP/s on one core (90–94 % of its peak, packed operands, 1008×1152×1024):
    /// the FMA-to-load ratio of larger tiles bought nothing there.
    /// </summary>
    public const int Mr512 = 8;

    /// <summary>Rows of the <see cref="Vector{T}"/> kernel (AVX2: 12 ymm accumulators + 3 of 16 registers).</summary>
    public const int MrVector = 6;

    /// <summary>8×(2·Vector512&lt;T&gt;.Count) kernel (8×32 for float, 8×16 for double), B's rows read through <typeparamref name="TRows"/> (packed, or where they lie).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel512<T, TRows>(T* a, TRows b, int kc, T* dst, int ldd, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, IPanelRows<T>
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            T* row = b.Row(p);
            Vector512<T> b0 = Vector512.Load(row);
            Vector512<T> b1 = Vector512.Load(row + w);
            Vector512<T> x = Vector512.Create(a[0]);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            a += Mr512;
        }

        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        bool overwrite = T.IsZero(beta);
        Store(dst, w, c00, c01, va, vb, overwrite); Store(dst + ldd, w, c10, c11, va, vb, overwrite);
        Store(dst + (2 * ldd), w, c20, c21, va, vb, overwrite); Store(dst + (3 * ldd), w, c30, c31, va, vb, overwrite);
        Store(dst + (4 * ldd), w, c40, c41, va, vb, overwrite); Store(dst + (5 * ldd), w, c50, c51, va, vb, overwrite);
        Store(dst + (6 * ldd), w, c60, c61, va, vb, overwrite); Store(dst + (7 * ldd), w, c70, c71, va, vb, overwrite);
    }

    /// <summary>
    /// The 8×(2·Vector512&lt;T&gt;.Count) kernel with op(A)'s rows read where they lie: element
    /// (r, p) at <c>rows[r][offsets[p]]</c> (a convolution's output positions, each reading its
    /// window from a padded image), op(B) a packed panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelRows512<T>(T** rows, long* offsets, int kc, T* b, T* dst, int ldd, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        T* a0 = rows[0], a1 = rows[1], a2 = rows[2], a3 = rows[3], a4 = rows[4], a5 = rows[5], a6 = rows[6], a7 = rows[7];
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            long o = offsets[p];
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> x = Vector512.Create(a0[o]);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(a1[o]);
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(a2[o]);
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(a3[o]);
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(a4[o]);
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(a5[o]);
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(a6[o]);
            c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(a7[o]);
            c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            b += 2 * w;
        }

        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        bool overwrite = T.IsZero(beta);
        Store(dst, w, c00, c01, va, vb, overwrite); Store(dst + ldd, w, c10, c11, va, vb, overwrite);
        Store(dst + (2 * ldd), w, c20, c21, va, vb, overwrite); Store(dst + (3 * ldd), w, c30, c31, va, vb, overwrite);
        Store(dst + (4 * ldd), w, c40, c41, va, vb, overwrite); Store(dst + (5 * ldd), w, c50, c51, va, vb, overwrite);
        Store(dst + (6 * ldd), w, c60, c61, va, vb, overwrite); Store(dst + (7 * ldd), w, c70, c71, va, vb, overwrite);
    }

    /// <summary>6×(2·Vector&lt;T&gt;.Count) kernel (6×16 float / 6×8 double on AVX2), B's rows read through <typeparamref name="TRows"/> (packed, or where they lie).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelVector<T, TRows>(T* a, TRows b, int kc, T* dst, int ldd, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, IPanelRows<T>
    {
        int w = Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            T* row = b.Row(p);
            Vector<T> b0 = Vector.Load(row);
            Vector<T> b1 = Vector.Load(row + w);
            Vector<T> x = new(a[0]);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = new(a[1]);
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = new(a[2]);
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = new(a[3]);
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = new(a[4]);
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = new(a[5]);
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += MrVector;
        }

        Vector<T> va = new(alpha), vb = new(beta);
        bool overwrite = T.IsZero(beta);
        Store(dst, w, c00, c01, va, vb, overwrite); Store(dst + ldd, w, c10, c11, va, vb, overwrite);
        Store(dst + (2 * ldd), w, c20, c21, va, vb, overwrite); Store(dst + (3 * ldd), w, c30, c31, va, vb, overwrite);
        Store(dst + (4 * ldd), w, c40, c41, va, vb, overwrite); Store(dst + (5 * ldd), w, c50, c51, va, vb, overwrite);
    }

    /// <summary>
    /// C[r, j] = alpha * tile[r, j] + beta * C[r, j] for r &lt; mr, j &lt; nr. C is not read when
    /// <paramref name="beta"/> is zero, so garbage (NaN) in C cannot leak into the result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteBack<T>(T* tile, int tileStride, T* c, int ldc, int mr, int nr, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector<T>.Count;
        Vector<T> va = new(alpha);
        Vector<T> vb = new(beta);
        bool overwrite = T.IsZero(beta);
        for (int r = 0; r < mr; r++, tile += tileStride, c += ldc)
        {
            int j = 0;
            if (overwrite)
            {
                for (; j <= nr - w; j += w)
                {
                    (va * Vector.Load(tile + j)).Store(c + j);
                }

                for (; j < nr; j++)
                {
                    c[j] = alpha * tile[j];
                }
            }
            else
            {
                for (; j <= nr - w; j += w)
                {
                    Fma(va, Vector.Load(tile + j), vb * Vector.Load(c + j)).Store(c + j);
                }

                for (; j < nr; j++)
                {
                    c[j] = T.FusedMultiplyAdd(alpha, tile[j], beta * c[j]);
                }
            }
        }
    }

    // One row of a block: dst = alpha · (lo, hi) + beta · dst, dst unread when overwriting.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* dst, int w, Vector512<T> lo, Vector512<T> hi, Vector512<T> alpha, Vector512<T> beta, bool overwrite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (overwrite)
        {
            (lo * alpha).Store(dst);
            (hi * alpha).Store(dst + w);
        }
        else
        {
            Fma(lo, alpha, Vector512.Load(dst) * beta).Store(dst);
            Fma(hi, alpha, Vector512.Load(dst + w) * beta).Store(dst + w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* dst, int w, Vector<T> lo, Vector<T> hi, Vector<T> alpha, Vector<T> beta, bool overwrite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (overwrite)
        {
            (lo * alpha).Store(dst);
            (hi * alpha).Store(dst + w);
        }
        else
        {
            Fma(lo, alpha, Vector.Load(dst) * beta).Store(dst);
            Fma(hi, alpha, Vector.Load(dst + w) * beta).Store(dst + w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<T> Fma<T>(Vector<T> x, Vector<T> y, Vector<T> acc)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), acc.As<T, float>()).As<float, T>();
        }

        return Vector.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), acc.As<T, double>()).As<double, T>();
    }
}
