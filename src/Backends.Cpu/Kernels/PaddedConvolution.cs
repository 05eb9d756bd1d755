using System.Numerics;
using System.Numerics.Tensors;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// A stride-1 convolution of one image as one GEMM over zero-padded copies of the image laid out
/// by <see cref="PaddedLayout"/>, so that row (c, i, j) of the column matrix is one contiguous run
/// of them, which the micro-kernel reads where it lies (<see cref="PaddedRows{T}"/>): no column
/// matrix is gathered. The product's rows are as wide as the copies' rows; the extra columns of a
/// single wide copy are computed and dropped when the rows are copied into the output. The copies
/// cover exactly the rows and columns the windows read, so a negative padding crops the image
/// (the input gradient's transposed convolution uses that).
/// </summary>
internal static unsafe class PaddedConvolution
{
    /// <summary>Whether a convolution is computed this way: stride 1.</summary>
    public static bool Applies(in ConvGeometry g) => g.StrideH == 1 && g.StrideW == 1;

    /// <summary>Elements of a kernel packed by <see cref="Pack{T}"/>.</summary>
    public static long PackedSize(in ConvGeometry g) =>
        PositionGemm.Applies(g) ? PositionGemm.PackedSize(g) : CpuGemm.PackedASize(g.GroupOutChannels, g.ColumnRows);

    /// <summary>Packs one group's kernel [outs, channels·kH·kW] once for every image's <see cref="Run{T}"/>.</summary>
    public static void Pack<T>(T* kernel, in ConvGeometry g, T* packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (PositionGemm.Applies(g))
        {
            PositionGemm.Pack(kernel, g, packed);
        }
        else
        {
            CpuGemm.PackA(false, kernel, g.GroupOutChannels, g.ColumnRows, packed);
        }
    }

    /// <summary>
    /// Scratch elements <see cref="Run{T}"/> and <see cref="WeightGradient{T}"/> need: the copies,
    /// their slack, and the product or <see cref="PositionGemm"/>'s scratch, for the larger of the
    /// layouts they take. A weight gradient's shifted copies
    /// (<see cref="PaddedLayout.ForWeightGradient"/>) take no more than the product.
    /// </summary>
    public static long Scratch(in ConvGeometry g)
    {
        var layout = PaddedLayout.For(g);
        long product = (long)g.GroupOutChannels * g.OutHeight * layout.Width;
        long gemm = layout.Size(g) + Slack(g, layout) + product;
        if (!PositionGemm.Applies(g))
        {
            return gemm;
        }

        var wide = PaddedLayout.Wide(g);
        return Math.Max(gemm, wide.Size(g) + Slack(g, wide) + PositionGemm.Scratch(g));
    }

    /// <summary>
    /// output[o, oh, ow] = Σ a[o, (c, i, j)] · image[c, oh - PadH + i·DilationH, ow - PadW + j·DilationW] (+ bias[o])
    /// for the GroupChannels channels of <paramref name="image"/> and the GroupOutChannels rows of the
    /// kernel a ([outs, channels·kH·kW], packed by <see cref="Pack{T}"/>); the output's planes are
    /// overwritten. An empty <paramref name="bias"/> adds nothing. With whole register tiles of
    /// output channels the output positions are the product's rows (<see cref="PositionGemm"/>),
    /// read from one wide copy, or from the image itself when there is no padding.
    /// </summary>
    public static void Run<T>(T* packedA, T* image, in ConvGeometry g, T* output, ReadOnlySpan<T> bias, T* scratch, bool serial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (PositionGemm.Applies(g))
        {
            var wide = PaddedLayout.Wide(g);
            bool inPlace = PaddedLayout.IsImage(g);
            PositionGemm.Run(inPlace ? image : scratch, wide, g, packedA, output, bias, inPlace ? scratch : Prepare(image, g, wide, scratch));
            return;
        }

        var layout = PaddedLayout.For(g);
        T* product = Prepare(image, g, layout, scratch);
        int width = layout.Width, columns = g.OutHeight * width;
        var problem = new GemmProblem<T>(null, null, product, g.GroupOutChannels, columns, g.ColumnRows, false, false, T.One, T.Zero, packedA: packedA);
        CpuGemm.Gemm(problem, new PaddedRows<T>(scratch, layout, g), serial);

        for (int o = 0; o < g.GroupOutChannels; o++)
        {
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                T* source = product + ((long)o * columns) + ((long)oh * width);
                T* target = output + ((long)o * g.OutPlane) + ((long)oh * g.OutWidth);
                if (bias.IsEmpty)
                {
                    ConvolutionKernels.Copy(ref *source, ref *target, g.OutWidth);
                }
                else
                {
                    TensorPrimitives.Add(new ReadOnlySpan<T>(source, g.OutWidth), bias[o], new Span<T>(target, g.OutWidth));
                }
            }
        }
    }

    /// <summary>
    /// gradWeight[o, (c, i, j)] = Σ gradY[o, oh, ow] · image[c, oh - PadH + i·DilationH, ow - PadW + j·DilationW]
    /// + beta · gradWeight[o, (c, i, j)], over the output positions of one image (the weight
    /// gradient of <see cref="Run{T}"/>, a GEMM over the product's positions with the output
    /// gradient's extra columns zero).
    /// </summary>
    public static void WeightGradient<T>(T* gradY, T* image, in ConvGeometry g, T* gradWeight, T beta, T* scratch, bool serial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = PaddedLayout.ForWeightGradient(g);
        T* product = Prepare(image, g, layout, scratch);
        int width = layout.Width, columns = g.OutHeight * width;
        T* a = gradY;
        if (width != g.OutWidth)
        {
            a = product;
            for (int o = 0; o < g.GroupOutChannels; o++)
            {
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    T* row = product + ((long)o * columns) + ((long)oh * width);
                    ConvolutionKernels.Copy(ref *(gradY + ((long)o * g.OutPlane) + ((long)oh * g.OutWidth)), ref *row, g.OutWidth);
                    ConvolutionKernels.Zero(ref *(row + g.OutWidth), width - g.OutWidth);
                }
            }
        }

        var problem = new GemmProblem<T>(a, null, gradWeight, g.GroupOutChannels, g.ColumnRows, columns, false, false, T.One, beta);
        CpuGemm.Gemm(problem, new PaddedColumns<T>(scratch, layout, g), serial);
    }

    /// <summary>Copies the image into the start of the scratch; returns where the product goes, after the copies and their slack.</summary>
    private static T* Prepare<T>(T* image, in ConvGeometry g, in PaddedLayout layout, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* copy = scratch;
        for (int j = 0; j < layout.Copies; j++, copy += layout.CopyStride)
        {
            int shift = (layout.Copies == 1 ? 0 : j * g.DilationW) - g.PadW;
            Pad(image, g, layout.Height, layout.Width, shift, copy);
        }

        long size = layout.Size(g);
        new Span<T>(scratch + size, Slack(g, layout)).Clear();
        return scratch + size + Slack(g, layout);
    }

    /// <summary>
    /// Elements past the last plane that the last rows of the column matrix read into, for extra
    /// columns only: the widening, and a whole register tile past the last column (64 elements)
    /// that the micro-kernel reads when it reads the rows where they lie.
    /// </summary>
    private static int Slack(in ConvGeometry g, in PaddedLayout layout) => layout.Width - g.OutWidth + 64;

    /// <summary>copy[c, r, s] = image[c, r - PadH, s + shift], zero outside the image, for <paramref name="width"/> columns.</summary>
    private static void Pad<T>(T* image, in ConvGeometry g, int height, int width, int shift, T* copy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int first = Math.Clamp(-shift, 0, width), last = Math.Clamp(g.Width - shift, first, width);
        for (int c = 0; c < g.GroupChannels; c++)
        {
            T* plane = image + ((long)c * g.Height * g.Width);
            for (int r = 0; r < height; r++, copy += width)
            {
                int sourceRow = r - g.PadH;
                if ((uint)sourceRow >= (uint)g.Height)
                {
                    ConvolutionKernels.Zero(ref *copy, width);
                    continue;
                }

                ConvolutionKernels.Zero(ref *copy, first);
                ConvolutionKernels.Copy(ref *(plane + ((long)sourceRow * g.Width) + first + shift), ref *(copy + first), last - first);
                ConvolutionKernels.Zero(ref *(copy + last), width - last);
            }
        }
    }
}
