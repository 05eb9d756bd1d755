using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// A <see cref="PaddedConvolution"/> with the output positions as the GEMM's rows: the product
/// [positions, outs] = column matrixᵀ · kernelᵀ, where row p of the transposed column matrix is
/// position p's window, read where it lies in the padded copies (position p's start plus the
/// offset of column (c, i, j); <see cref="GemmMicroKernels.KernelRows512{T}"/>), and the kernel
/// is packed once per call. Every row is a real output position, so no extra column of a wide
/// copy and no ragged register tile is computed; each tile is transposed into the NCHW output.
/// Used with Vector512 for groups of a multiple of 32 output channels (whole register tiles).
/// </summary>
internal static unsafe class PositionGemm
{
    private const int Rows = GemmMicroKernels.Mr512;

    /// <summary>Whether the convolution is computed this way.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Vector512.IsHardwareAccelerated && g.GroupOutChannels % 32 == 0;

    /// <summary>Elements of the kernel packed by <see cref="Pack{T}"/>: all its columns in panels of a register tile's width.</summary>
    public static long PackedSize(in ConvGeometry g) => (long)g.GroupOutChannels * g.ColumnRows;

    /// <summary>
    /// Packs kernelᵀ (the kernel [outs, channels·kH·kW] row-major) into panels of NR output
    /// channels: panel q at <c>q·NR·K</c>, element (k, o) at <c>k·NR + o - q·NR</c> within it.
    /// </summary>
    public static void Pack<T>(T* kernel, in ConvGeometry g, T* packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = 2 * Vector512<T>.Count, k = g.ColumnRows;
        for (int q = 0; q < g.GroupOutChannels; q += nr)
        {
            GemmPacking.PackB(true, kernel, k, 0, q, k, nr, nr, packed + ((long)q * k));
        }
    }

    /// <summary>
    /// Scratch elements <see cref="Run{T}"/> needs: the offset of every kernel column, as long,
    /// and the partial products of a register tile's channels at every position (in float, the
    /// wider case) when the depth is sliced.
    /// </summary>
    public static long Scratch(in ConvGeometry g) => (2L * g.ColumnRows) + ((long)BlockedPositions(g) * 2 * Vector512<float>.Count);

    /// <summary>
    /// The depth of one pass of a register tile: all of it, unless the tile's panel of the kernel
    /// outgrows L2 (a deep layer on a small image, such as 512 channels on 7×7) while the partial
    /// products of its positions fit in a quarter of L1. The panel then goes in L1-sized slices,
    /// each passing every position block, and the blocks add up their slices' products.
    /// </summary>
    internal static int SliceDepth<T>(in ConvGeometry g)
        where T : unmanaged
    {
        int nr = 2 * Vector512<T>.Count;
        long panel = (long)g.ColumnRows * nr * sizeof(T), partials = (long)BlockedPositions(g) * nr * sizeof(T);
        if (panel <= CpuCaches.L2 / 2 || partials > CpuCaches.L1 / 4)
        {
            return g.ColumnRows;
        }

        return (int)Math.Max(8, CpuCaches.L1 / 2 / (nr * sizeof(T)) / 8 * 8);
    }

    // The positions rounded up to whole blocks of Rows.
    private static int BlockedPositions(in ConvGeometry g) => (g.OutPlane + Rows - 1) / Rows * Rows;

    /// <summary>
    /// output[o, p] = Σ_k copies[start(p) + offset(k)] · kernel[o, k] (+ bias[o]) for the OutPlane
    /// positions and GroupOutChannels output channels of one group (NCHW planes): each register
    /// tile of 8 positions × NR channels takes the whole depth in one pass (or, for a deep layer on
    /// a small image, the <see cref="SliceDepth"/> slices in turn, adding up in the partials) and
    /// goes through a small tile into the planes, transposed, with the bias.
    /// <paramref name="scratch"/> holds <see cref="Scratch"/> elements.
    /// </summary>
    public static void Run<T>(T* copies, in PaddedLayout layout, in ConvGeometry g, T* packed, T* output, ReadOnlySpan<T> bias, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = 2 * Vector512<T>.Count, k = g.ColumnRows, positions = g.OutPlane, slice = SliceDepth<T>(g);
        long* offsets = (long*)scratch;
        layout.RowOffsets(g, 0, new Span<long>(offsets, k));
        T* partials = (T*)(offsets + k);
        T** rows = stackalloc T*[Rows];
        T* tile = stackalloc T[Rows * nr];
        T* tileBias = stackalloc T[nr];
        for (int jr = 0; jr < g.GroupOutChannels; jr += nr)
        {
            for (int o = 0; o < nr; o++)
            {
                tileBias[o] = bias.IsEmpty ? T.Zero : bias[jr + o];
            }

            T* panel = packed + ((long)jr * k);
            T* planes = output + ((long)jr * positions);
            for (int p = 0; p < k; p += slice)
            {
                int depth = Math.Min(slice, k - p);
                bool last = p + depth == k;
                int oh = 0, ow = 0;
                for (int p0 = 0; p0 < positions; p0 += Rows)
                {
                    // Each position's window starts at its row and column of the copies; a ragged
                    // last block reads its last position again and keeps only its own rows.
                    int count = Math.Min(Rows, positions - p0);
                    for (int r = 0; r < Rows; r++)
                    {
                        rows[r] = r < count ? copies + ((long)oh * layout.Width) + ow : rows[count - 1];
                        if (r < count && ++ow == g.OutWidth)
                        {
                            ow = 0;
                            oh++;
                        }
                    }

                    // The whole depth goes through the small tile; sliced, a block's slices add up in its partials.
                    T* dst = slice == k ? tile : partials + ((long)p0 * nr);
                    GemmMicroKernels.KernelRows512(rows, offsets + p, depth, panel + ((long)p * nr), dst, nr, T.One, p == 0 ? T.Zero : T.One);
                    if (last)
                    {
                        StoreTransposed(dst, nr, tileBias, planes + p0, positions, count);
                    }
                }
            }
        }
    }

    /// <summary>
    /// planes[o · stride + r] = tile[r · nr + o] + bias[o] for the tile's <paramref name="count"/>
    /// positions r and nr channels o; a whole float tile moves in 8×8 register transposes.
    /// </summary>
    private static void StoreTransposed<T>(T* tile, int nr, T* bias, T* planes, int stride, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && count == Rows && Avx.IsSupported)
        {
            float* t = (float*)tile;
            for (int o = 0; o < nr; o += 8)
            {
                var b = Avx.LoadVector256((float*)bias + o);
                GemmPacking.Transpose8x8(
                    Avx.Add(Avx.LoadVector256(t + o), b), Avx.Add(Avx.LoadVector256(t + nr + o), b),
                    Avx.Add(Avx.LoadVector256(t + (2 * nr) + o), b), Avx.Add(Avx.LoadVector256(t + (3 * nr) + o), b),
                    Avx.Add(Avx.LoadVector256(t + (4 * nr) + o), b), Avx.Add(Avx.LoadVector256(t + (5 * nr) + o), b),
                    Avx.Add(Avx.LoadVector256(t + (6 * nr) + o), b), Avx.Add(Avx.LoadVector256(t + (7 * nr) + o), b),
                    (float*)planes + ((long)o * stride), stride);
            }

            return;
        }

        for (int o = 0; o < nr; o++)
        {
            for (int r = 0; r < count; r++)
            {
                planes[((long)o * stride) + r] = tile[(r * nr) + o] + bias[o];
            }
        }
    }
}
