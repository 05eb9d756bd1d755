using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// Max and average pooling over the planes of an NCHW tensor: one thread per output forward, and
/// backward one thread per input element that sums the outputs whose window reads it (a gather,
/// as <see cref="ConvolutionKernels.Col2Im{T}"/>), so no two threads write the same element and
/// no column matrix is built. Max pooling keeps each window's first maximum as the window
/// position i·KernelW + j (the first NaN wins), counted in T as the other index kernels do (no
/// generic-math conversions in kernel bodies); average pooling multiplies by 1 / (KernelH·KernelW),
/// which the host passes.
/// </summary>
internal static class PoolKernels
{
    public static void Max<T>(ArrayView<T> x, ArrayView<T> y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = g.Batch * g.Channels * g.OutPlane;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            y[e] = WindowMax(x, g, e, out _);
        }
    }

    public static void MaxWithIndices<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> indices, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = g.Batch * g.Channels * g.OutPlane;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            y[e] = WindowMax(x, g, e, out T position);
            indices[e] = position;
        }
    }

    public static void Average<T>(ArrayView<T> x, ArrayView<T> y, ConvGeometry g, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = g.Batch * g.Channels * g.OutPlane;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            int ow = e % g.OutWidth, oh = e / g.OutWidth % g.OutHeight, plane = e / g.OutPlane;
            T sum = T.Zero;
            for (int i = 0; i < g.KernelH; i++)
            {
                int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
                for (int j = 0; ih >= 0 && ih < g.Height && j < g.KernelW; j++)
                {
                    int iw = (ow * g.StrideW) - g.PadW + (j * g.DilationW);
                    if (iw >= 0 && iw < g.Width)
                    {
                        sum += x[(((plane * g.Height) + ih) * g.Width) + iw];
                    }
                }
            }

            y[e] = sum * scale;
        }
    }

    /// <summary>gradX (overwritten) receives each output's gradient at its window's maximum.</summary>
    public static void MaxBackward<T>(ArrayView<T> gradY, ArrayView<T> indices, ArrayView<T> gradX, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = g.Batch * g.Channels * g.Height * g.Width;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            gradX[e] = Gather(gradY, indices, g, e, true);
        }
    }

    /// <summary>gradX (overwritten) receives an equal share of each output's gradient over its window.</summary>
    public static void AverageBackward<T>(ArrayView<T> gradY, ArrayView<T> gradX, ConvGeometry g, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = g.Batch * g.Channels * g.Height * g.Width;
        for (int e = GridLoop.Start; e < count; e += GridLoop.Step)
        {
            gradX[e] = Gather(gradY, gradY, g, e, false) * scale;
        }
    }

    private static T WindowMax<T>(ArrayView<T> x, ConvGeometry g, int e, out T position)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ow = e % g.OutWidth, oh = e / g.OutWidth % g.OutHeight, plane = e / g.OutPlane;
        T best = T.NegativeInfinity, tap = T.Zero;
        position = T.Zero;
        for (int i = 0; i < g.KernelH; i++)
        {
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            for (int j = 0; j < g.KernelW; j++, tap += T.One)
            {
                int iw = (ow * g.StrideW) - g.PadW + (j * g.DilationW);
                if (ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width)
                {
                    T v = x[(((plane * g.Height) + ih) * g.Width) + iw];
                    if (v > best || (T.IsNaN(v) && !T.IsNaN(best)))
                    {
                        best = v;
                        position = tap;
                    }
                }
            }
        }

        return best;
    }

    // The sum of gradY over the outputs whose window reads input element e (at the window's
    // maximum only, when maxima): the windows at kernel position (i, j) that start at e's row and
    // column minus the position's offset, where that start is on the stride.
    private static T Gather<T>(ArrayView<T> gradY, ArrayView<T> indices, ConvGeometry g, int e, bool maxima)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = e % g.Width, h = e / g.Width % g.Height, plane = e / (g.Height * g.Width);
        T sum = T.Zero, tap = T.Zero;
        for (int i = 0; i < g.KernelH; i++)
        {
            int th = h + g.PadH - (i * g.DilationH);
            int oh = th / g.StrideH;
            bool row = th >= 0 && th % g.StrideH == 0 && oh < g.OutHeight;
            for (int j = 0; j < g.KernelW; j++, tap += T.One)
            {
                int tw = w + g.PadW - (j * g.DilationW);
                int ow = tw / g.StrideW;
                if (row && tw >= 0 && tw % g.StrideW == 0 && ow < g.OutWidth)
                {
                    int o = (plane * g.OutPlane) + (oh * g.OutWidth) + ow;
                    if (!maxima || indices[o] == tap)
                    {
                        sum += gradY[o];
                    }
                }
            }
        }

        return sum;
    }
}
