using System.Numerics;
using System.Numerics.Tensors;
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
/// copy and no ragged register tile is computed; the product is transposed into the NCHW output.
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
    /// product[p, o] = Σ_k copies[start(p) + offset(k)] · kernel[o, k] for the OutPlane positions
    /// and GroupOutChannels output channels (row stride GroupOutChannels).
    /// </summary>
    public static void Run<T>(T* copies, in PaddedLayout layout, in ConvGeometry g, T* packed, T* product)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = 2 * Vector512<T>.Count, k = g.ColumnRows, outs = g.GroupOutChannels, positions = g.OutPlane;
        int slices = (k + CpuGemm.Blocking<T>.Kc - 1) / CpuGemm.Blocking<T>.Kc, kcStep = (k + slices - 1) / slices;
        long* offsets = stackalloc long[kcStep];
        T** rows = stackalloc T*[Rows];
        T* tile = stackalloc T[Rows * nr];
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            layout.RowOffsets(g, pc, new Span<long>(offsets, kc));
            T beta = pc == 0 ? T.Zero : T.One;
            for (int jr = 0; jr < outs; jr += nr)
            {
                T* panel = packed + ((long)jr * k) + ((long)pc * nr);
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

                    T* target = product + ((long)p0 * outs) + jr;
                    if (count == Rows)
                    {
                        GemmMicroKernels.KernelRows512(rows, offsets, kc, panel, target, outs, T.One, beta);
                    }
                    else
                    {
                        GemmMicroKernels.KernelRows512(rows, offsets, kc, panel, tile, nr, T.One, T.Zero);
                        GemmMicroKernels.WriteBack(tile, nr, target, outs, count, nr, T.One, beta);
                    }
                }
            }
        }
    }

    /// <summary>
    /// output[o, p] = product[p, o] (+ bias[o]) for one group's GroupOutChannels planes of
    /// OutPlane positions; float moves in 8×8 register transposes.
    /// </summary>
    public static void TransposeOut<T>(T* product, in ConvGeometry g, T* output, ReadOnlySpan<T> bias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outs = g.GroupOutChannels, positions = g.OutPlane;
        int p0 = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            for (; p0 <= positions - 8; p0 += 8)
            {
                for (int o = 0; o < outs; o += 8)
                {
                    GemmPacking.Transpose8x8((float*)product + ((long)p0 * outs) + o, outs, (float*)output + ((long)o * positions) + p0, positions);
                }
            }
        }

        for (int o = 0; o < outs; o++)
        {
            T* plane = output + ((long)o * positions);
            for (int p = p0; p < positions; p++)
            {
                plane[p] = product[((long)p * outs) + o];
            }

            if (!bias.IsEmpty)
            {
                var span = new Span<T>(plane, positions);
                TensorPrimitives.Add(span, bias[o], span);
            }
        }
    }
}
