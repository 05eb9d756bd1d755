using System.Numerics;
using System.Numerics.Tensors;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// A stride-1 convolution of one image as one GEMM over a zero-padded copy of the image: the
/// product is computed for output rows as wide as the padded rows, so row (c, i, j) of the column
/// matrix is one contiguous run of the padded copy, which the GEMM packs with plain vector copies
/// (<see cref="PaddedRows{T}"/>) instead of gathering row by row. The extra columns of each
/// output row (dilation · (kernel - 1) of them) are computed and dropped when the rows are copied
/// into the output. The padded copy covers exactly the rows and columns the windows read, so a
/// negative padding crops the image (the input gradient's transposed convolution uses that).
/// </summary>
internal static unsafe class PaddedConvolution
{
    /// <summary>
    /// Whether a convolution is computed this way: stride 1, and padded rows at most a quarter
    /// wider than the output rows (wider, the dropped columns cost more than gathering the column
    /// matrix; e.g. a 5×5 kernel over an 8×8 output would compute 12 columns for every 8).
    /// </summary>
    public static bool Applies(in ConvGeometry g) => g.StrideH == 1 && g.StrideW == 1 && 4 * Padded(g).Width <= 5 * g.OutWidth;

    /// <summary>Scratch elements <see cref="Run{T}"/> needs: the padded copy, its slack, and the wide product.</summary>
    public static long Scratch(in ConvGeometry g)
    {
        var (height, width) = Padded(g);
        return ((long)g.GroupChannels * height * width) + Slack(g) + ((long)g.GroupOutChannels * g.OutHeight * width);
    }

    /// <summary>
    /// output[o, oh, ow] = Σ a[o, (c, i, j)] · image[c, oh - PadH + i·DilationH, ow - PadW + j·DilationW] (+ bias[o])
    /// for the GroupChannels channels of <paramref name="image"/> and the GroupOutChannels rows of the
    /// kernel a ([outs, channels·kH·kW], packed whole in <paramref name="packedA"/> by
    /// <see cref="CpuGemm.PackA{T}"/>); the output's planes are overwritten. An empty
    /// <paramref name="bias"/> adds nothing.
    /// </summary>
    public static void Run<T>(T* packedA, T* image, in ConvGeometry g, T* output, ReadOnlySpan<T> bias, T* scratch, bool serial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* padded = scratch, wide = Prepare(image, g, scratch, out int height, out int width);
        int columns = g.OutHeight * width;
        var problem = new GemmProblem<T>(null, null, wide, g.GroupOutChannels, columns, g.ColumnRows, false, false, T.One, T.Zero, packedA: packedA);
        CpuGemm.Gemm(problem, new PaddedRows<T>(padded, height, width, g), serial);

        for (int o = 0; o < g.GroupOutChannels; o++)
        {
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                T* source = wide + ((long)o * columns) + ((long)oh * width);
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
    /// gradient of <see cref="Run{T}"/>, a GEMM over the wide positions with the output gradient's
    /// extra columns zero).
    /// </summary>
    public static void WeightGradient<T>(T* gradY, T* image, in ConvGeometry g, T* gradWeight, T beta, T* scratch, bool serial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* padded = scratch, wide = Prepare(image, g, scratch, out int height, out int width);
        int columns = g.OutHeight * width;
        for (int o = 0; o < g.GroupOutChannels; o++)
        {
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                T* row = wide + ((long)o * columns) + ((long)oh * width);
                ConvolutionKernels.Copy(ref *(gradY + ((long)o * g.OutPlane) + ((long)oh * g.OutWidth)), ref *row, g.OutWidth);
                ConvolutionKernels.Zero(ref *(row + g.OutWidth), width - g.OutWidth);
            }
        }

        var problem = new GemmProblem<T>(wide, null, gradWeight, g.GroupOutChannels, g.ColumnRows, columns, false, false, T.One, beta);
        CpuGemm.Gemm(problem, new PaddedColumns<T>(padded, height, width, g), serial);
    }

    /// <summary>Pads the image into the start of the scratch; returns where the wide product goes, after the padded copy and its slack.</summary>
    private static T* Prepare<T>(T* image, in ConvGeometry g, T* scratch, out int height, out int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (height, width) = Padded(g);
        long paddedSize = (long)g.GroupChannels * height * width;
        Pad(image, g, height, width, scratch);
        new Span<T>(scratch + paddedSize, Slack(g)).Clear();
        return scratch + paddedSize + Slack(g);
    }

    /// <summary>The padded copy's rows and columns: exactly those the windows of the output read.</summary>
    private static (int Height, int Width) Padded(in ConvGeometry g) =>
        (g.OutHeight + (g.DilationH * (g.KernelH - 1)), g.OutWidth + (g.DilationW * (g.KernelW - 1)));

    /// <summary>
    /// Elements past the last plane that the last rows of the column matrix read into, for extra
    /// columns only: the widening, and a whole register tile past the last column (64 elements)
    /// that the micro-kernel reads when it reads the rows where they lie.
    /// </summary>
    private static int Slack(in ConvGeometry g) => (g.DilationW * (g.KernelW - 1)) + 64;

    /// <summary>padded[c, r, s] = image[c, r - PadH, s - PadW], zero outside the image.</summary>
    private static void Pad<T>(T* image, in ConvGeometry g, int height, int width, T* padded)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int first = Math.Clamp(g.PadW, 0, width), last = Math.Clamp(g.PadW + g.Width, first, width);
        for (int c = 0; c < g.GroupChannels; c++)
        {
            T* plane = image + ((long)c * g.Height * g.Width);
            for (int r = 0; r < height; r++, padded += width)
            {
                int sourceRow = r - g.PadH;
                if ((uint)sourceRow >= (uint)g.Height)
                {
                    ConvolutionKernels.Zero(ref *padded, width);
                    continue;
                }

                ConvolutionKernels.Zero(ref *padded, first);
                ConvolutionKernels.Copy(ref *(plane + ((long)sourceRow * g.Width) + first - g.PadW), ref *(padded + first), last - first);
                ConvolutionKernels.Zero(ref *(padded + last), width - last);
            }
        }
    }
}
