using System.Numerics;
using System.Numerics.Tensors;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Convolution one image at a time, images split over the cores: each part builds an image's
/// column matrix in its own scratch (small enough to stay in cache) and runs the packed GEMM on it,
/// writing straight into the image's NCHW output, so nothing is permuted. A 1×1 convolution with
/// stride 1 and no padding reads the image itself as its column matrix. The weight and bias
/// gradients are summed per part, then over the parts.
/// </summary>
internal static unsafe class ConvolutionGemm
{
    /// <summary>Parts the images are split into: one per core, at most one per image.</summary>
    public static int Parts(in ConvGeometry g) => Math.Max(1, Math.Min(CpuWorkers.Threads, g.Batch));

    /// <summary>Scratch elements per part for <see cref="Forward{T}"/>: one image's column matrix.</summary>
    public static long ForwardScratch(in ConvGeometry g) => IsPointwise(g) ? 0 : (long)g.ColumnRows * g.OutPlane;

    /// <summary>Scratch elements per part for <see cref="Backward{T}"/>: a column matrix, a weight gradient and a bias gradient.</summary>
    public static long BackwardScratch(in ConvGeometry g) =>
        ((long)g.ColumnRows * g.OutPlane) + ((long)g.OutChannels * g.ColumnRows) + g.OutChannels;

    /// <summary>y = conv(x, weight) + bias; <paramref name="scratch"/> holds <see cref="Parts"/> × <see cref="ForwardScratch"/> elements.</summary>
    public static void Forward<T>(T[] x, T[] weight, T[]? bias, in ConvGeometry geometry, T[] y, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int parts = Parts(geometry);
        CpuParallel.For(parts, 1, (X: x, W: weight, Bias: bias, G: geometry, Y: y, Scratch: scratch, Parts: parts), static (s, first, last) =>
        {
            var g = s.G;
            long outputSize = (long)g.OutChannels * g.OutPlane;
            for (long part = first; part < last; part++)
            {
                var col = s.Scratch.AsSpan((int)(part * ForwardScratch(g)), (int)ForwardScratch(g));
                for (int n = (int)(g.Batch * part / s.Parts); n < g.Batch * (part + 1) / s.Parts; n++)
                {
                    var output = s.Y.AsSpan((int)(n * outputSize), (int)outputSize);
                    if (s.Bias is not null)
                    {
                        for (int o = 0; o < g.OutChannels; o++)
                        {
                            output.Slice(o * g.OutPlane, g.OutPlane).Fill(s.Bias[o]);
                        }
                    }

                    for (int group = 0; group < g.Groups; group++)
                    {
                        var columns = Columns(s.X, n, g, group, col);
                        fixed (T* pw = s.W, pc = columns, py = output)
                        {
                            int outs = g.GroupOutChannels;
                            CpuGemm.Gemm(new GemmProblem<T>(
                                pw + ((long)group * outs * g.ColumnRows), pc, py + ((long)group * outs * g.OutPlane),
                                outs, g.OutPlane, g.ColumnRows, false, false, T.One, s.Bias is null ? T.Zero : T.One), serial: s.Parts > 1);
                        }
                    }
                }
            }
        });
    }

    /// <summary>
    /// The gradients asked for (non-null), each overwritten; <paramref name="scratch"/> holds
    /// <see cref="Parts"/> × <see cref="BackwardScratch"/> elements.
    /// </summary>
    public static void Backward<T>(T[] gradY, T[] x, T[] weight, in ConvGeometry geometry, T[]? gradX, T[]? gradWeight, T[]? gradBias, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        int parts = Parts(g);
        CpuParallel.For(parts, 1, (GY: gradY, X: x, W: weight, G: g, GX: gradX, GW: gradWeight, GB: gradBias, Scratch: scratch, Parts: parts), static (s, first, last) =>
        {
            for (long part = first; part < last; part++)
            {
                BackwardPart(s.GY, s.X, s.W, s.G, s.GX, s.GW is not null, s.GB is not null, s.Parts > 1, s.Scratch.AsSpan((int)(part * BackwardScratch(s.G)), (int)BackwardScratch(s.G)), (int)(s.G.Batch * part / s.Parts), (int)(s.G.Batch * (part + 1) / s.Parts));
            }
        });

        // The parts' weight and bias gradients, summed into the outputs.
        long stride = BackwardScratch(g), colSize = (long)g.ColumnRows * g.OutPlane, weightSize = (long)g.OutChannels * g.ColumnRows;
        for (int part = 0; part < parts; part++)
        {
            if (gradWeight is not null)
            {
                NormalizationKernels.AddOrCopy<T>(scratch.AsSpan((int)((part * stride) + colSize), (int)weightSize), gradWeight, part == 0);
            }

            if (gradBias is not null)
            {
                NormalizationKernels.AddOrCopy<T>(scratch.AsSpan((int)((part * stride) + colSize + weightSize), g.OutChannels), gradBias, part == 0);
            }
        }
    }

    /// <summary>Images [n0, n1) of the backward: input gradients written, weight and bias gradients summed into the part's scratch.</summary>
    private static void BackwardPart<T>(T[] gradY, T[] x, T[] weight, in ConvGeometry g, T[]? gradX, bool weights, bool biases, bool serial, Span<T> scratch, int n0, int n1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.ColumnRows, plane = g.OutPlane, outs = g.GroupOutChannels;
        var col = scratch[..(rows * plane)];
        var partWeight = scratch.Slice(rows * plane, g.OutChannels * rows);
        var partBias = scratch.Slice((rows * plane) + (g.OutChannels * rows), g.OutChannels);
        partBias.Clear();
        long outputSize = (long)g.OutChannels * plane;
        bool pointwise = IsPointwise(g);
        for (int n = n0; n < n1; n++)
        {
            var gy = gradY.AsSpan((int)(n * outputSize), (int)outputSize);
            if (biases)
            {
                for (int o = 0; o < g.OutChannels; o++)
                {
                    partBias[o] += TensorPrimitives.Sum<T>(gy.Slice(o * plane, plane));
                }
            }

            for (int group = 0; group < g.Groups; group++)
            {
                fixed (T* pgy = gy, pw = weight, ppw = partWeight)
                {
                    T* groupGrad = pgy + ((long)group * outs * plane);
                    if (weights)
                    {
                        var columns = Columns(x, n, g, group, col);
                        fixed (T* pc = columns)
                        {
                            CpuGemm.Gemm(new GemmProblem<T>(groupGrad, pc, ppw + ((long)group * outs * rows), outs, rows, plane, false, true, T.One, n == n0 ? T.Zero : T.One), serial);
                        }
                    }

                    if (gradX is null)
                    {
                        continue;
                    }

                    // The column gradient Wᵀ·gradY, straight into gradX for a pointwise convolution.
                    fixed (T* pc = col, pgx = gradX)
                    {
                        T* target = pointwise ? pgx + g.InputPlaneOffset(n, group, 0) : pc;
                        CpuGemm.Gemm(new GemmProblem<T>(pw + ((long)group * outs * rows), groupGrad, target, rows, plane, outs, true, false, T.One, T.Zero), serial);
                    }

                    if (!pointwise)
                    {
                        FoldImage(col, g, n, group, gradX);
                    }
                }
            }
        }
    }

    /// <summary>Image n's column matrix for a group, built in <paramref name="col"/>, or the image's own channels for a pointwise convolution.</summary>
    private static ReadOnlySpan<T> Columns<T>(T[] x, int n, in ConvGeometry g, int group, Span<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planeSize = g.Height * g.Width;
        var channels = x.AsSpan((int)g.InputPlaneOffset(n, group, 0), g.GroupChannels * planeSize);
        if (IsPointwise(g))
        {
            return channels;
        }

        int window = g.KernelH * g.KernelW;
        for (int row = 0; row < g.ColumnRows; row++)
        {
            int c = row / window, i = row % window / g.KernelW, j = row % g.KernelW;
            ConvolutionKernels.FillColumnRow<T>(channels.Slice(c * planeSize, planeSize), g, i, j, T.Zero, col.Slice(row * g.OutPlane, g.OutPlane));
        }

        return col;
    }

    /// <summary>Overwrites image n's channels of a group in gradX with its column gradient folded back (col2im of one image).</summary>
    private static void FoldImage<T>(ReadOnlySpan<T> col, in ConvGeometry g, int n, int group, T[] gradX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < g.GroupChannels; c++)
        {
            ConvolutionKernels.FoldPlane(col, g.OutPlane, 0, g, c, gradX.AsSpan((int)g.InputPlaneOffset(n, group, c), g.Height * g.Width));
        }
    }

    /// <summary>A 1×1 convolution with stride 1 and no padding: each image is its own column matrix.</summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelH == 1 && g.KernelW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 && g.OutPlane == g.Height * g.Width;
}
