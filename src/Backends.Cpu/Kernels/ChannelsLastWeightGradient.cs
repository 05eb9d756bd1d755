using System.Numerics;
using System.Runtime.Intrinsics.X86;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The weight gradient of a convolution whose groups have a multiple of 32 channels, any stride
/// and dilation: the image is copied once, padded and channels-last, and the GEMM reads the
/// transposed column matrix straight from the copy (<see cref="ChannelsLastColumns{T}"/>), so no
/// column matrix is built or packed and no padded output position is computed. The result's
/// columns come in the copy's order (i, j, c); <see cref="Reorder{T}"/> puts them in PyTorch's
/// (c, i, j) once the images are summed.
/// </summary>
internal static unsafe class ChannelsLastWeightGradient
{
    /// <summary>Whether the weight gradient is computed this way: channels per group a multiple of every register tile width (32).</summary>
    public static bool Applies(in ConvGeometry g) => g.GroupChannels % 32 == 0;

    // Output positions one product should take at least: with fewer (a small image), several
    // images' positions go into one product, so that C's register tiles are loaded and stored
    // once per 256 depth steps rather than once per image.
    private const int Depth = 256;

    /// <summary>Images whose positions one product takes: enough for <see cref="Depth"/> positions, at least one.</summary>
    public static int Images(in ConvGeometry g) => Math.Max(1, Depth / g.OutPlane);

    /// <summary>Scratch elements <see cref="Run{T}"/> needs: a channels-last padded copy per image, and the output gradients of several images side by side.</summary>
    public static long Scratch(in ConvGeometry g)
    {
        int images = Images(g);
        return (images * CopySize(g)) + (images > 1 ? (long)images * g.GroupOutChannels * g.OutPlane : 0);
    }

    /// <summary>
    /// gradWeight[o, (i, j, c)] = Σ gradY[o, oh, ow] · image[c, oh·StrideH - PadH + i·DilationH, ow·StrideW - PadW + j·DilationW]
    /// + beta · gradWeight[o, (i, j, c)] over the output positions of <paramref name="images"/> images
    /// (at most <see cref="Images"/>; image m's group at <paramref name="image"/> + m · <paramref name="imageStride"/>,
    /// its output gradient at <paramref name="gradY"/> + m · <paramref name="gradYStride"/>), for the
    /// group's GroupChannels channels and GroupOutChannels rows of the output gradient.
    /// </summary>
    public static void Run<T>(T* gradY, long gradYStride, T* image, long imageStride, int images, in ConvGeometry g, T* gradWeight, T beta, T* scratch, bool serial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (height, width) = Padded(g);
        long copySize = CopySize(g);
        for (int m = 0; m < images; m++)
        {
            CopyChannelsLast(image + (m * imageStride), g, height, width, scratch + (m * copySize));
        }

        // Several images' output gradients side by side: row o holds each image's row o in turn.
        T* a = gradY;
        int outs = g.GroupOutChannels, plane = g.OutPlane;
        if (images > 1)
        {
            a = scratch + (images * copySize);
            for (int o = 0; o < outs; o++)
            {
                for (int m = 0; m < images; m++)
                {
                    new ReadOnlySpan<T>(gradY + (m * gradYStride) + ((long)o * plane), plane).CopyTo(new Span<T>(a + (((long)o * images) + m) * plane, plane));
                }
            }
        }

        var problem = new GemmProblem<T>(a, null, gradWeight, outs, g.ColumnRows, images * plane, false, false, T.One, beta);
        CpuGemm.Gemm(problem, new ChannelsLastColumns<T>(scratch, width, copySize, g), serial);
    }

    /// <summary>
    /// gradWeight[o, (c, i, j)] = source[o, (i, j, c)] for every output channel o: the columns of
    /// each group's rows from <see cref="Run{T}"/>'s order into the weight's.
    /// </summary>
    public static void Reorder<T>(ReadOnlySpan<T> source, in ConvGeometry g, Span<T> gradWeight)
    {
        int channels = g.GroupChannels, window = g.KernelH * g.KernelW, rows = g.ColumnRows;
        for (int o = 0; o < g.OutChannels; o++)
        {
            var from = source.Slice(o * rows, rows);
            var to = gradWeight.Slice(o * rows, rows);
            for (int w = 0; w < window; w++)
            {
                for (int c = 0; c < channels; c++)
                {
                    to[(c * window) + w] = from[(w * channels) + c];
                }
            }
        }
    }

    private static long CopySize(in ConvGeometry g)
    {
        var (height, width) = Padded(g);
        return (long)height * width * g.GroupChannels;
    }

    /// <summary>The copy's rows and columns: exactly those the windows of the output read.</summary>
    private static (int Height, int Width) Padded(in ConvGeometry g) =>
        (((g.OutHeight - 1) * g.StrideH) + (g.DilationH * (g.KernelH - 1)) + 1, ((g.OutWidth - 1) * g.StrideW) + (g.DilationW * (g.KernelW - 1)) + 1);

    /// <summary>copy[r, s, c] = image[c, r - PadH, s - PadW], zero outside the image; float rows move in 8×8 register transposes.</summary>
    private static void CopyChannelsLast<T>(T* image, in ConvGeometry g, int height, int width, T* copy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = g.GroupChannels, plane = g.Height * g.Width;
        int first = Math.Clamp(g.PadW, 0, width), last = Math.Clamp(g.PadW + g.Width, first, width);
        for (int r = 0; r < height; r++)
        {
            T* row = copy + ((long)r * width * channels);
            int sourceRow = r - g.PadH;
            if ((uint)sourceRow >= (uint)g.Height)
            {
                ConvolutionKernels.Zero(ref *row, width * channels);
                continue;
            }

            ConvolutionKernels.Zero(ref *row, first * channels);
            ConvolutionKernels.Zero(ref *(row + (last * channels)), (width - last) * channels);
            T* source = image + ((long)sourceRow * g.Width) - g.PadW;
            if (typeof(T) == typeof(float) && Avx.IsSupported && last - first >= 8)
            {
                // Sixteen channels (one cache line of each copied column) along the whole row; the
                // last block of columns overlaps the one before it rather than leaving a ragged end.
                for (int c = 0; c < channels; c += 16)
                {
                    for (int s = first; s < last; s += 8)
                    {
                        int at = Math.Min(s, last - 8);
                        float* from = (float*)source + ((long)c * plane) + at;
                        float* to = (float*)row + ((long)at * channels) + c;
                        GemmPacking.Transpose8x8(from, plane, to, channels);
                        GemmPacking.Transpose8x8(from + (8L * plane), plane, to + 8, channels);
                    }
                }

                continue;
            }

            for (int s = first; s < last; s++)
            {
                for (int c = 0; c < channels; c++)
                {
                    row[((long)s * channels) + c] = source[((long)c * plane) + s];
                }
            }
        }
    }
}
