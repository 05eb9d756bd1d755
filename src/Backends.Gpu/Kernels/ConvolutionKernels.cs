using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// The column matrix of a convolution group (one thread per entry) and its adjoint as a gather
/// (one thread per input element, summing the entries that read it), so no two threads write the
/// same element.
/// </summary>
internal static class ConvolutionKernels
{
    public static void Im2Col<T>(ArrayView<T> x, ArrayView<T> col, ConvGeometry g, int group, T padValue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = g.ColumnCols;
        int count = g.ColumnRows * cols;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            int row = e / cols, column = e % cols;
            int j = row % g.KernelW, i = row / g.KernelW % g.KernelH, c = row / (g.KernelW * g.KernelH);
            int ow = column % g.OutWidth, oh = column / g.OutWidth % g.OutHeight, n = column / g.OutPlane;
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            int iw = (ow * g.StrideW) - g.PadW + (j * g.DilationW);
            bool inside = ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width;
            col[e] = inside ? x[(((((n * g.Channels) + (group * g.GroupChannels) + c) * g.Height) + ih) * g.Width) + iw] : padValue;
        }
    }

    public static void Col2Im<T>(ArrayView<T> col, ArrayView<T> x, ConvGeometry g, int group)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = g.Height * g.Width;
        int count = g.Batch * g.GroupChannels * plane;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            int w = e % g.Width, h = e / g.Width % g.Height;
            int c = e / plane % g.GroupChannels, n = e / (plane * g.GroupChannels);
            T sum = T.Zero;
            for (int i = 0; i < g.KernelH; i++)
            {
                int th = h + g.PadH - (i * g.DilationH);
                int oh = th / g.StrideH;
                if (th < 0 || th % g.StrideH != 0 || oh >= g.OutHeight)
                {
                    continue;
                }

                for (int j = 0; j < g.KernelW; j++)
                {
                    int tw = w + g.PadW - (j * g.DilationW);
                    int ow = tw / g.StrideW;
                    if (tw >= 0 && tw % g.StrideW == 0 && ow < g.OutWidth)
                    {
                        int row = (((c * g.KernelH) + i) * g.KernelW) + j;
                        sum += col[(row * g.ColumnCols) + (n * g.OutPlane) + (oh * g.OutWidth) + ow];
                    }
                }
            }

            x[(((n * g.Channels) + (group * g.GroupChannels) + c) * plane) + (h * g.Width) + w] = sum;
        }
    }
}
