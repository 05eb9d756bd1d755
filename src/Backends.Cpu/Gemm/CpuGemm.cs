using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// General matrix multiply, BLIS/GotoBLAS style. Loop nest per block of C (see <see cref="Blocking{T}"/>):
/// rows in MC strips; depth in KC slices, for which the MC×kc slab of op(A) is packed once into MR-row
/// panels; columns in NC blocks, for which the kc×NC slab of op(B) is packed into NR-column panels
/// that stay in L2; then each kc×MR A panel (L1-resident) is swept across all NR panels by the
/// register-blocked micro-kernel. Large products are split into a grid of blocks of C, one per core.
/// </summary>
internal static unsafe class CpuGemm
{
    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C, all row-major and contiguous. op(A) is m×k: A is stored
    /// m×k, or k×m when <paramref name="transA"/>. op(B) is k×n: B is stored k×n, or n×k when
    /// <paramref name="transB"/>. C is m×n. When <paramref name="beta"/> is zero, C's prior contents
    /// are ignored.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> (vectorized hot path) or <see cref="double"/>.</typeparam>
    /// <param name="transA">Whether A is stored transposed (k×m).</param>
    /// <param name="transB">Whether B is stored transposed (n×k).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, at least m·k elements.</param>
    /// <param name="b">B, at least k·n elements.</param>
    /// <param name="beta">Scale of the prior C.</param>
    /// <param name="c">C, at least m·n elements; overwritten with the result.</param>
    /// <param name="bias">When given (n elements), added to every row of the result.</param>
    /// <param name="relu">Whether negative results (after the bias) become zero.</param>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        T[] a, T[] b, T beta, T[] c, T[]? bias = null, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"CpuGemm supports float and double, not {typeof(T).Name}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        ThrowIfTooShort(a, (long)m * k, nameof(a));
        ThrowIfTooShort(b, (long)k * n, nameof(b));
        ThrowIfTooShort(c, (long)m * n, nameof(c));
        if (bias is not null)
        {
            ThrowIfTooShort(bias, n, nameof(bias));
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (T* pa = a, pb = b, pc = c, pbias = bias)
        {
            Gemm(new GemmProblem<T>(pa, pb, pc, m, n, k, transA, transB, alpha, beta, new GemmEpilogue<T>(pbias, relu)));
        }
    }

    /// <summary>
    /// The product of operands the caller has pinned and checked (m and n positive): for kernels that
    /// multiply parts of buffers, such as one image's columns in a convolution. Splits over the
    /// cores when large, unless <paramref name="serial"/> (for a caller that is itself one part of a
    /// split: its GEMM then runs whole on the calling thread, with no grid of smaller blocks).
    /// </summary>
    internal static void Gemm<T>(in GemmProblem<T> problem, bool serial = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = problem;
        if (serial && p.K > 0 && !T.IsZero(p.Alpha))
        {
            RunBlock(in p, 0, p.M, 0, p.N);
            return;
        }

        if (p.K == 0 || T.IsZero(p.Alpha))
        {
            Scale(new Span<T>(p.C, p.M * p.N), p.Beta);
            p.Epilogue.Apply(p.C, p.N, p.M, 0, p.N);
            return;
        }

        if (GemmVector.TryRun(in p) || GemmOuter.TryRun(in p) || GemmDots.TryRun(in p))
        {
            // These paths finish C in one pass; the epilogue follows it while C is still in cache.
            p.Epilogue.Apply(p.C, p.N, p.M, 0, p.N);
        }
        else if (p.M <= Blocking<T>.Mr && !p.TransB && p.PackedA == null)
        {
            GemmParallel.RunFewRows(in p);
        }
        else
        {
            GemmParallel.Run(in p);
        }
    }

    /// <summary>
    /// The product with op(B) packed from <paramref name="source"/> (p.B and p.TransB unused), such
    /// as a convolution's column matrix gathered from its image; m, n and k positive, alpha nonzero.
    /// Splits over the cores when large, unless <paramref name="serial"/>.
    /// </summary>
    internal static void Gemm<T, TSource>(in GemmProblem<T> problem, in TSource source, bool serial)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSource : struct, IPanelSource<T>
    {
        if (serial)
        {
            RunBlock(in problem, in source, 0, problem.M, 0, problem.N);
        }
        else
        {
            GemmParallel.Run(in problem, in source);
        }
    }

    /// <summary>Elements <see cref="PackA{T}"/> writes for an m×k op(A).</summary>
    internal static long PackedASize(int m, int k) => (long)((m + Blocking<float>.Mr - 1) / Blocking<float>.Mr) * Blocking<float>.Mr * k;

    /// <summary>
    /// Packs the whole m×k op(A) (A stored m×k, or k×m when <paramref name="transA"/>) for
    /// <see cref="GemmProblem{T}.PackedA"/>: MR-row panels of all k columns, panel q (rows q·MR..)
    /// at <c>dst + q·MR·k</c>, element (r, p) at <c>p·MR + r</c> within it, so the panel of any
    /// depth slice is a contiguous run of it.
    /// </summary>
    internal static void PackA<T>(bool transA, T* a, int m, int k, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = Blocking<T>.Mr;
        for (int i = 0; i < m; i += mr)
        {
            GemmPacking.PackA(transA, a, transA ? m : k, i, 0, Math.Min(mr, m - i), k, mr, dst + ((long)i * k));
        }
    }

    /// <summary>Computes the rows [i0, i1) × columns [j0, j1) block of C on the calling thread.</summary>
    internal static void RunBlock<T>(in GemmProblem<T> p, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        RunBlock(in p, new StoredB<T>(p.TransB, p.B, p.TransB ? p.K : p.N), i0, i1, j0, j1);

    /// <summary>The block of C with op(B)'s panels packed from <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RunBlock<T, TSource>(in GemmProblem<T> p, in TSource source, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSource : struct, IPanelSource<T>
    {
        int mrFull = Blocking<T>.Mr;
        int nrFull = Blocking<T>.Nr;
        int lda = p.TransA ? p.M : p.K;
        int kcStep = BalancedStep(p.K, Blocking<T>.Kc, 1);
        int mcStep = BalancedStep(i1 - i0, Blocking<T>.Mc, mrFull);
        int ncStep = BalancedStep(j1 - j0, Blocking<T>.Nc, nrFull);
        T* packedB = Buffers<T>.Get(kcStep * ncStep, kcStep * mcStep, mrFull * nrFull, out T* packedA, out T* tile);

        // A direct source is read where it lies (through a table of the slice's row starts), not packed.
        bool direct = TSource.Direct;
        T** rows = stackalloc T*[direct ? kcStep : 0];
        for (int ic = i0; ic < i1; ic += mcStep)
        {
            int mc = Math.Min(mcStep, i1 - ic);
            for (int pc = 0; pc < p.K; pc += kcStep)
            {
                int kc = Math.Min(kcStep, p.K - pc);
                T beta = pc == 0 ? p.Beta : T.One;
                bool lastSlice = pc + kc == p.K;
                for (int ir = 0; p.PackedA == null && ir < mc; ir += mrFull)
                {
                    int mr = Math.Min(mrFull, mc - ir);
                    GemmPacking.PackA(p.TransA, p.A, lda, ic + ir, pc, mr, kc, mrFull, packedA + ((long)ir * kc));
                }

                if (direct)
                {
                    source.Rows(pc, kc, rows);
                }

                for (int jc = j0; jc < j1; jc += ncStep)
                {
                    int nc = Math.Min(ncStep, j1 - jc);
                    if (!direct)
                    {
                        source.Pack(pc, jc, kc, nc, nrFull, packedB);
                    }

                    for (int ir = 0; ir < mc; ir += mrFull)
                    {
                        int mr = Math.Min(mrFull, mc - ir);
                        T* panelA = p.PackedA == null ? packedA + ((long)ir * kc) : p.PackedA + ((long)(ic + ir) * p.K) + ((long)pc * mrFull);
                        T* cRow = p.C + ((long)(ic + ir) * p.N) + jc;
                        T* panelB = packedB;
                        for (int jr = 0; jr < nc; jr += nrFull, panelB += kc * nrFull)
                        {
                            // A whole tile goes straight into C; a ragged edge through the scratch tile.
                            int nr = Math.Min(nrFull, nc - jr);
                            bool whole = mr == mrFull && nr == nrFull;
                            T* dst = whole ? cRow + jr : tile;
                            int ldd = whole ? p.N : nrFull;
                            if (direct && Vector512.IsHardwareAccelerated)
                            {
                                GemmMicroKernels.Kernel512(panelA, new RowTable<T>(rows, source.Column(jc + jr)), kc, dst, ldd, whole ? p.Alpha : T.One, whole ? beta : T.Zero);
                            }
                            else if (direct)
                            {
                                GemmMicroKernels.KernelVector(panelA, new RowTable<T>(rows, source.Column(jc + jr)), kc, dst, ldd, whole ? p.Alpha : T.One, whole ? beta : T.Zero);
                            }
                            else if (Vector512.IsHardwareAccelerated)
                            {
                                GemmMicroKernels.Kernel512(panelA, new PackedPanel<T>(panelB), kc, dst, ldd, whole ? p.Alpha : T.One, whole ? beta : T.Zero);
                            }
                            else
                            {
                                GemmMicroKernels.KernelVector(panelA, new PackedVectorPanel<T>(panelB), kc, dst, ldd, whole ? p.Alpha : T.One, whole ? beta : T.Zero);
                            }

                            if (!whole)
                            {
                                GemmMicroKernels.WriteBack(tile, nrFull, cRow + jr, p.N, mr, nr, p.Alpha, beta);
                            }

                            if (lastSlice && p.Epilogue.IsActive)
                            {
                                p.Epilogue.Apply(cRow + jr, p.N, mr, jc + jr, nr);
                            }
                        }
                    }
                }
            }
        }
    }

    // Splits `total` into ceil(total / max) near-equal steps, each rounded up to a multiple of `unit`.
    private static int BalancedStep(int total, int max, int unit)
    {
        int blocks = (total + max - 1) / max;
        int step = (total + blocks - 1) / blocks;
        return (step + unit - 1) / unit * unit;
    }

    private static void Scale<T>(Span<T> c, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsZero(beta))
        {
            c.Clear();
        }
        else if (beta != T.One)
        {
            for (int i = 0; i < c.Length; i++)
            {
                c[i] *= beta;
            }
        }
    }

    private static void ThrowIfTooShort<T>(T[] array, long required, string name)
    {
        if (array.Length < required)
        {
            throw new ArgumentException($"Array has {array.Length} elements but the shape needs {required}.", name);
        }
    }

    /// <summary>
    /// Block sizes. MR×NR: register tile of the micro-kernel (8×32 float / 8×16 double with
    /// Vector512, 6×16 / 6×8 with 256-bit vectors). The cache blocks come from the cache sizes the
    /// machine reports (<see cref="CpuCaches"/>) through <see cref="GemmBlocking"/>: KC keeps a
    /// kc×MR A panel in a quarter of L1 next to the streamed B panels; NC keeps the kc×NC packed B
    /// slab in three quarters of L2; MC takes as many rows. Zen 4 (32 KiB L1d, 1 MiB L2) gets KC 256
    /// floats and NC, MC 768 (1024² measured within noise there for KC 256-512, NC 256-1024,
    /// MC 240-960); Zen 5 (48 KiB L1d) KC 384 and NC, MC 512; a 2 MiB-L2 Xeon NC, MC 1024.
    /// </summary>
    internal static class Blocking<T>
        where T : unmanaged
    {
        public static readonly int Mr = Vector512.IsHardwareAccelerated ? GemmMicroKernels.Mr512 : GemmMicroKernels.MrVector;
        public static readonly int Nr = 2 * (Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector<T>.Count);
        private static readonly GemmBlocking Sizes = GemmBlocking.For(CpuCaches.L1, CpuCaches.L2, Mr, Nr, sizeof(T));
        public static readonly int Kc = Sizes.Kc;
        public static readonly int Mc = Sizes.Mc;
        public static readonly int Nc = Sizes.Nc;
    }

    // Per-thread packing buffers on the pinned object heap, 64-byte aligned, grown on demand and
    // reused, so steady-state calls allocate nothing.
    private static class Buffers<T>
        where T : unmanaged
    {
        [ThreadStatic]
        private static T[]? s_array;

        public static T* Get(int sizeB, int sizeA, int sizeTile, out T* packedA, out T* tile)
        {
            int line = 64 / sizeof(T);
            sizeB = (sizeB + line - 1) / line * line;
            sizeA = (sizeA + line - 1) / line * line;
            int required = sizeB + sizeA + sizeTile + line;
            if (s_array is null || s_array.Length < required)
            {
                s_array = GC.AllocateUninitializedArray<T>(required, pinned: true);
            }

            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_array));
            T* aligned = (T*)((start + 63) & ~(nint)63);
            packedA = aligned + sizeB;
            tile = packedA + sizeA;
            return aligned;
        }
    }
}
