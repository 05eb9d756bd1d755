using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The column matrix of a convolution group (im2col) and its adjoint (col2im), split over cores by
/// rows of the column matrix and by input planes respectively; runs along a row of output
/// positions are contiguous copies and vector adds when the stride is 1.
/// </summary>
internal static class ConvolutionKernels
{
    /// <summary>col [ColumnRows, ColumnCols] of group <paramref name="group"/>, see <see cref="IBackend.Im2Col"/>.</summary>
    public static void Im2Col<T>(T[] x, in ConvGeometry geometry, int group, T padValue, T[] col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        long tasks = (long)g.ColumnRows * g.Batch;
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, g.OutPlane));
        CpuParallel.For(tasks, grain, (X: x, G: g, Group: group, Pad: padValue, Col: col), static (s, start, end) =>
        {
            var g = s.G;
            for (long task = start; task < end; task++)
            {
                int row = (int)(task / g.Batch), n = (int)(task % g.Batch);
                int j = row % g.KernelW, i = row / g.KernelW % g.KernelH, c = row / (g.KernelW * g.KernelH);
                var plane = s.X.AsSpan((int)((((long)n * g.Channels) + (s.Group * g.GroupChannels) + c) * g.Height * g.Width), g.Height * g.Width);
                var target = s.Col.AsSpan((int)(((long)row * g.ColumnCols) + ((long)n * g.OutPlane)), g.OutPlane);
                FillColumnRow(plane, g, i, j, s.Pad, target);
            }
        });
    }

    /// <summary>One row of a column matrix for one image: kernel position (i, j) read from an input plane at every output position.</summary>
    public static void FillColumnRow<T>(ReadOnlySpan<T> plane, in ConvGeometry g, int i, int j, T padValue, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lo, hi) = ValidRange(g.OutWidth, g.Width, g.StrideW, g.PadW, j * g.DilationW);
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            var line = target.Slice(oh * g.OutWidth, g.OutWidth);
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            if ((uint)ih >= (uint)g.Height)
            {
                line.Fill(padValue);
                continue;
            }

            line[..lo].Fill(padValue);
            line[hi..].Fill(padValue);
            var source = plane.Slice(ih * g.Width, g.Width);
            int iw = (lo * g.StrideW) - g.PadW + (j * g.DilationW);
            if (g.StrideW == 1)
            {
                source.Slice(iw, hi - lo).CopyTo(line[lo..hi]);
            }
            else
            {
                for (int ow = lo; ow < hi; ow++, iw += g.StrideW)
                {
                    line[ow] = source[iw];
                }
            }
        }
    }

    /// <summary>Overwrites group <paramref name="group"/>'s channels of x with the adjoint of <see cref="Im2Col{T}"/>.</summary>
    public static void Col2Im<T>(T[] col, in ConvGeometry geometry, int group, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        long planes = (long)g.Batch * g.GroupChannels;
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, (long)g.KernelH * g.KernelW * g.OutPlane));
        CpuParallel.For(planes, grain, (Col: col, G: g, Group: group, X: x), static (s, start, end) =>
        {
            var g = s.G;
            for (long p = start; p < end; p++)
            {
                int n = (int)(p / g.GroupChannels), c = (int)(p % g.GroupChannels);
                var plane = s.X.AsSpan((int)((((long)n * g.Channels) + (s.Group * g.GroupChannels) + c) * g.Height * g.Width), g.Height * g.Width);
                plane.Clear();
                for (int i = 0; i < g.KernelH; i++)
                {
                    for (int j = 0; j < g.KernelW; j++)
                    {
                        int row = (((c * g.KernelH) + i) * g.KernelW) + j;
                        var source = s.Col.AsSpan((int)(((long)row * g.ColumnCols) + ((long)n * g.OutPlane)), g.OutPlane);
                        AddWindowRow(source, plane, g, i, j);
                    }
                }
            }
        });
    }

    /// <summary>Adds one kernel position's column entries of one image back into its input plane.</summary>
    public static void AddWindowRow<T>(ReadOnlySpan<T> source, Span<T> plane, in ConvGeometry g, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lo, hi) = ValidRange(g.OutWidth, g.Width, g.StrideW, g.PadW, j * g.DilationW);
        if (hi <= lo)
        {
            return;
        }

        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            if ((uint)ih >= (uint)g.Height)
            {
                continue;
            }

            var line = source.Slice((oh * g.OutWidth) + lo, hi - lo);
            var target = plane.Slice(ih * g.Width, g.Width);
            int iw = (lo * g.StrideW) - g.PadW + (j * g.DilationW);
            if (g.StrideW == 1)
            {
                var run = target.Slice(iw, hi - lo);
                TensorPrimitives.Add(run, line, run);
            }
            else
            {
                for (int k = 0; k < line.Length; k++, iw += g.StrideW)
                {
                    target[iw] += line[k];
                }
            }
        }
    }

    /// <summary>
    /// The output columns [lo, hi) whose input column <c>ow·stride - pad + offset</c> lies in [0, width).
    /// </summary>
    public static (int Lo, int Hi) ValidRange(int outWidth, int width, int stride, int pad, int offset)
    {
        int lo = Math.Clamp(CeilDiv(pad - offset, stride), 0, outWidth);
        int hi = Math.Clamp(CeilDiv(width + pad - offset, stride), lo, outWidth);
        return (lo, hi);
    }

    private static int CeilDiv(int a, int b) => a <= 0 ? -(-a / b) : (a + b - 1) / b;
}
