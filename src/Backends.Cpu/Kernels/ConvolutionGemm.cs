using System.Numerics;
using System.Numerics.Tensors;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Convolution one image at a time, images split over the cores, each image's product written
/// straight into its NCHW output, so nothing is permuted. A stride-1 convolution runs as
/// <see cref="PaddedConvolution"/> GEMMs over zero-padded copies of the image, whose column
/// matrix the micro-kernel reads in place: the forward pass, the weight gradient, and (when the
/// output gradient is not mostly padding) the input gradient as the transposed convolution of
/// the output gradient with the flipped kernel.
/// Other strides gather the column matrix into the GEMM's panels in the forward pass
/// (<see cref="ImageColumns{T}"/>) and build it in the part's scratch for the gradients (the
/// input gradient folded back by col2im). A 1×1 convolution with stride 1 and no padding reads
/// the image itself as its column matrix. Groups of a multiple of 32 channels take their weight
/// gradient from a channels-last copy of the image at any stride
/// (<see cref="ChannelsLastWeightGradient"/>). The weight and bias gradients are summed per part,
/// then over the parts.
/// </summary>
internal static unsafe class ConvolutionGemm
{
    /// <summary>Parts the images are split into: one per core, at most one per image.</summary>
    public static int Parts(in ConvGeometry g) => Math.Max(1, Math.Min(CpuWorkers.Threads, g.Batch));

    /// <summary>Scratch elements per part for <see cref="Backward{T}"/>: a column matrix or the padded convolutions' scratch, a weight gradient and a bias gradient.</summary>
    public static long BackwardScratch(in ConvGeometry g) =>
        ColumnScratch(g) + ((long)g.OutChannels * g.ColumnRows) + g.OutChannels + Math.Max(
            ChannelsLastWeightGradient.Applies(g) ? ChannelsLastWeightGradient.Scratch(g) : Pads(g) ? PaddedConvolution.Scratch(g) : 0,
            Transposes(g) ? PaddedConvolution.Scratch(Transposed(g)) : 0);

    /// <summary>A part's column matrix: needed unless neither gradient builds one.</summary>
    private static long ColumnScratch(in ConvGeometry g) =>
        (ChannelsLastWeightGradient.Applies(g) || Pads(g)) && Transposes(g) ? 0 : (long)g.ColumnRows * g.OutPlane;

    /// <summary>
    /// Scratch elements shared by the parts of <see cref="Backward{T}"/>: the flipped kernel of a
    /// stride-1 input gradient, and each group's kernel of the input gradient packed for the GEMM.
    /// </summary>
    public static long SharedBackwardScratch(in ConvGeometry g) => (Transposes(g) ? (long)g.OutChannels * g.ColumnRows : 0) + (g.Groups * InputGradientPacked(g));

    /// <summary>Scratch elements shared by the parts of <see cref="Forward{T}"/>: each group's weights packed for the GEMM.</summary>
    public static long SharedForwardScratch(in ConvGeometry g) => g.Groups * ForwardPacked(g);

    /// <summary>One group's packed weights of the forward pass.</summary>
    private static long ForwardPacked(in ConvGeometry g) => Pads(g) ? PaddedConvolution.PackedSize(g) : CpuGemm.PackedASize(g.GroupOutChannels, g.ColumnRows);

    /// <summary>One group's packed kernel of the input gradient: the flipped kernel [channels, outs·kH·kW], or Wᵀ [channels·kH·kW, outs].</summary>
    private static long InputGradientPacked(in ConvGeometry g) =>
        Transposes(g) ? PaddedConvolution.PackedSize(Transposed(g)) : CpuGemm.PackedASize(g.ColumnRows, g.GroupOutChannels);

    /// <summary>Scratch elements per part for <see cref="Forward{T}"/>: a stride-1 convolution's padded copies and product.</summary>
    public static long ForwardScratch(in ConvGeometry g) => Pads(g) ? PaddedConvolution.Scratch(g) : 0;

    /// <summary>
    /// y = conv(x, weight) + bias; <paramref name="scratch"/> holds <see cref="SharedForwardScratch"/>
    /// + <see cref="Parts"/> × <see cref="ForwardScratch"/> elements.
    /// </summary>
    public static void Forward<T>(T[] x, T[] weight, T[]? bias, in ConvGeometry geometry, T[] y, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int parts = Parts(geometry);
        PackGroups(weight, geometry, Pads(geometry) ? geometry : null, false, scratch.AsSpan(0, (int)SharedForwardScratch(geometry)));
        CpuParallel.For(parts, 1, (X: x, W: weight, Bias: bias, G: geometry, Y: y, Scratch: scratch, Parts: parts), static (s, first, last) =>
        {
            var g = s.G;
            long outputSize = (long)g.OutChannels * g.OutPlane;
            int outs = g.GroupOutChannels;
            bool serial = s.Parts > 1;
            long packedSize = ForwardPacked(g), shared = g.Groups * packedSize;
            for (long part = first; part < last; part++)
            {
                for (int n = (int)(g.Batch * part / s.Parts); n < g.Batch * (part + 1) / s.Parts; n++)
                {
                    for (int group = 0; group < g.Groups; group++)
                    {
                        var groupBias = s.Bias is null ? default : s.Bias.AsSpan(group * outs, outs);
                        fixed (T* pw = s.W, px = s.X, py = s.Y, pscratch = s.Scratch)
                        {
                            T* groupWeight = pw + ((long)group * outs * g.ColumnRows), packed = pscratch + (group * packedSize);
                            T* image = px + g.InputPlaneOffset(n, group, 0);
                            T* output = py + (n * outputSize) + ((long)group * outs * g.OutPlane);
                            if (Pads(g))
                            {
                                PaddedConvolution.Run(packed, image, g, output, groupBias, pscratch + shared + (part * ForwardScratch(g)), serial);
                                continue;
                            }

                            // A pointwise convolution reads the image as its column matrix; other strides gather it.
                            for (int o = 0; o < groupBias.Length; o++)
                            {
                                new Span<T>(output + ((long)o * g.OutPlane), g.OutPlane).Fill(groupBias[o]);
                            }

                            var problem = new GemmProblem<T>(groupWeight, image, output, outs, g.OutPlane, g.ColumnRows, false, false, T.One, groupBias.IsEmpty ? T.Zero : T.One, packedA: packed);
                            if (IsPointwise(g))
                            {
                                CpuGemm.Gemm(problem, serial);
                            }
                            else
                            {
                                CpuGemm.Gemm(problem, new ImageColumns<T>(image, g), serial);
                            }
                        }
                    }
                }
            }
        });
    }

    /// <summary>
    /// The gradients asked for (non-null), each overwritten; <paramref name="scratch"/> holds
    /// <see cref="SharedBackwardScratch"/> + <see cref="Parts"/> × <see cref="BackwardScratch"/> elements.
    /// </summary>
    public static void Backward<T>(T[] gradY, T[] x, T[] weight, in ConvGeometry geometry, T[]? gradX, T[]? gradWeight, T[]? gradBias, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        int parts = Parts(g);
        long shared = SharedBackwardScratch(g);
        long packedAt = Transposes(g) ? (long)g.OutChannels * g.ColumnRows : 0;
        if (gradX is not null)
        {
            // The input gradient's kernel for every group, packed once for all images: the flipped
            // kernel [channels, outs·kH·kW], or Wᵀ [channels·kH·kW, outs] (weight stored transposed).
            bool transposes = Transposes(g);
            if (transposes)
            {
                FlipKernel(weight, g, scratch);
            }

            PackGroups(transposes ? scratch : weight, g, transposes ? Transposed(g) : null, !transposes, scratch.AsSpan((int)packedAt, (int)(shared - packedAt)));
        }

        CpuParallel.For(parts, 1, (GY: gradY, X: x, W: weight, G: g, GX: gradX, GW: gradWeight, GB: gradBias, Scratch: scratch, Shared: shared, PackedAt: packedAt, Parts: parts), static (s, first, last) =>
        {
            for (long part = first; part < last; part++)
            {
                var partScratch = s.Scratch.AsSpan((int)(s.Shared + (part * BackwardScratch(s.G))), (int)BackwardScratch(s.G));
                var packed = s.Scratch.AsSpan((int)s.PackedAt, (int)(s.Shared - s.PackedAt));
                BackwardPart(s.GY, s.X, s.W, packed, s.G, s.GX, s.GW is not null, s.GB is not null, s.Parts > 1, partScratch, (int)(s.G.Batch * part / s.Parts), (int)(s.G.Batch * (part + 1) / s.Parts));
            }
        });

        // The parts' weight and bias gradients, summed into the outputs (channels-last weight gradients into the first part's, then reordered).
        long stride = BackwardScratch(g), colSize = ColumnScratch(g), weightSize = (long)g.OutChannels * g.ColumnRows;
        bool reorder = gradWeight is not null && ChannelsLastWeightGradient.Applies(g);
        var firstWeight = scratch.AsSpan((int)(shared + colSize), (int)weightSize);
        for (int part = 0; part < parts; part++)
        {
            long start = shared + (part * stride) + colSize;
            if (gradWeight is not null && (part > 0 || !reorder))
            {
                NormalizationKernels.AddOrCopy<T>(scratch.AsSpan((int)start, (int)weightSize), reorder ? firstWeight : gradWeight, part == 0);
            }

            if (gradBias is not null)
            {
                NormalizationKernels.AddOrCopy<T>(scratch.AsSpan((int)(start + weightSize), g.OutChannels), gradBias, part == 0);
            }
        }

        if (reorder)
        {
            ChannelsLastWeightGradient.Reorder<T>(firstWeight, g, gradWeight);
        }
    }

    /// <summary>
    /// Packs each group's kernel (groups of OutChannels·ColumnRows / Groups elements of
    /// <paramref name="source"/>): for the padded convolution <paramref name="padded"/> when
    /// given (<see cref="PaddedConvolution.Pack{T}"/>), else as the GEMM's op(A), the weights
    /// [outs, channels·kH·kW] or, when <paramref name="transposed"/>, their transpose.
    /// </summary>
    private static void PackGroups<T>(T[] source, in ConvGeometry g, ConvGeometry? padded, bool transposed, Span<T> packed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long groupSize = (long)g.GroupOutChannels * g.ColumnRows;
        long size = packed.Length / g.Groups;
        fixed (T* ps = source, pp = packed)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                T* kernel = ps + (group * groupSize), target = pp + (group * size);
                if (padded is { } p)
                {
                    PaddedConvolution.Pack(kernel, p, target);
                }
                else if (transposed)
                {
                    CpuGemm.PackA(true, kernel, g.ColumnRows, g.GroupOutChannels, target);
                }
                else
                {
                    CpuGemm.PackA(false, kernel, g.GroupOutChannels, g.ColumnRows, target);
                }
            }
        }
    }

    /// <summary>
    /// The kernel of the transposed convolution that gives a stride-1 input gradient, per group:
    /// flipped[group][c, (o, i, j)] = weight[group · outs + o, c, kH - 1 - i, kW - 1 - j].
    /// </summary>
    private static void FlipKernel<T>(T[] weight, in ConvGeometry g, T[] flipped)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int window = g.KernelH * g.KernelW, outs = g.GroupOutChannels, channels = g.GroupChannels;
        for (int group = 0; group < g.Groups; group++)
        {
            int groupBase = group * outs * channels * window;
            for (int o = 0; o < outs; o++)
            {
                for (int c = 0; c < channels; c++)
                {
                    int source = groupBase + (((o * channels) + c) * window);
                    int target = groupBase + (((c * outs) + o) * window) + window - 1;
                    for (int k = 0; k < window; k++)
                    {
                        flipped[target - k] = weight[source + k];
                    }
                }
            }
        }
    }

    /// <summary>
    /// The transposed convolution that maps one image's output gradient (outs channels of
    /// OutHeight × OutWidth) to its input gradient (a stride-1 convolution with the flipped kernel,
    /// padded by dilation · (kernel - 1) - padding, which crops when negative).
    /// </summary>
    private static ConvGeometry Transposed(in ConvGeometry g) => new(
        1, g.GroupOutChannels, g.OutHeight, g.OutWidth, g.GroupChannels, 1,
        g.KernelH, g.KernelW, 1, 1, (g.DilationH * (g.KernelH - 1)) - g.PadH, (g.DilationW * (g.KernelW - 1)) - g.PadW, g.DilationH, g.DilationW,
        g.Height, g.Width);

    /// <summary>Whether the input gradient is the transposed convolution (a padded convolution; stride 1, not pointwise) rather than col2im.</summary>
    private static bool Transposes(in ConvGeometry g) => g.StrideH == 1 && g.StrideW == 1 && !IsPointwise(g) && PaddedLayout.MostlyImage(Transposed(g));

    /// <summary>Whether the forward pass and the weight gradient run as <see cref="PaddedConvolution"/> GEMMs.</summary>
    private static bool Pads(in ConvGeometry g) => PaddedConvolution.Applies(g) && !IsPointwise(g);

    /// <summary>
    /// Images [n0, n1) of the backward: input gradients written, weight and bias gradients summed
    /// into the part's scratch. <paramref name="packed"/> holds each group's kernel of the input
    /// gradient packed (see <see cref="Backward{T}"/>).
    /// </summary>
    private static void BackwardPart<T>(T[] gradY, T[] x, T[] weight, ReadOnlySpan<T> packed, in ConvGeometry g, T[]? gradX, bool weights, bool biases, bool serial, Span<T> scratch, int n0, int n1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.ColumnRows, plane = g.OutPlane, outs = g.GroupOutChannels;
        int colSize = (int)ColumnScratch(g);
        var col = scratch[..colSize];
        var partWeight = scratch.Slice(colSize, g.OutChannels * rows);
        var partBias = scratch.Slice(colSize + (g.OutChannels * rows), g.OutChannels);
        var padded = scratch[(colSize + (g.OutChannels * rows) + g.OutChannels)..];
        partBias.Clear();
        long outputSize = (long)g.OutChannels * plane;
        bool pointwise = IsPointwise(g), transposes = Transposes(g), pads = Pads(g), channelsLast = ChannelsLastWeightGradient.Applies(g);
        int imagesPerProduct = channelsLast ? ChannelsLastWeightGradient.Images(g) : 1;
        long packedSize = InputGradientPacked(g);
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
                fixed (T* pgy = gy, pw = weight, pk = packed, ppw = partWeight, pt = padded, px = x)
                {
                    T* groupGrad = pgy + ((long)group * outs * plane);
                    T beta = n == n0 ? T.Zero : T.One;
                    if (weights && channelsLast)
                    {
                        // Every Images(g)-th image takes the positions of the next few images too.
                        if ((n - n0) % imagesPerProduct == 0)
                        {
                            int images = Math.Min(imagesPerProduct, n1 - n);
                            T* image = px + g.InputPlaneOffset(n, group, 0);
                            ChannelsLastWeightGradient.Run(groupGrad, outputSize, image, g.InputPlaneOffset(n + 1, group, 0) - g.InputPlaneOffset(n, group, 0), images, g, ppw + ((long)group * outs * rows), beta, pt, serial);
                        }
                    }
                    else if (weights && pads)
                    {
                        PaddedConvolution.WeightGradient(groupGrad, px + g.InputPlaneOffset(n, group, 0), g, ppw + ((long)group * outs * rows), beta, pt, serial);
                    }
                    else if (weights)
                    {
                        var columns = Columns(x, n, g, group, col);
                        fixed (T* pc = columns)
                        {
                            CpuGemm.Gemm(new GemmProblem<T>(groupGrad, pc, ppw + ((long)group * outs * rows), outs, rows, plane, false, true, T.One, beta), serial);
                        }
                    }

                    if (gradX is null)
                    {
                        continue;
                    }

                    fixed (T* pc = col, pgx = gradX)
                    {
                        T* groupGradX = pgx + g.InputPlaneOffset(n, group, 0);
                        if (transposes)
                        {
                            // The flipped kernel [channels, outs·kH·kW] convolved over the output gradient.
                            PaddedConvolution.Run(pk + (group * packedSize), groupGrad, Transposed(g), groupGradX, default, pt, serial);
                            continue;
                        }

                        // The column gradient Wᵀ·gradY, straight into gradX for a pointwise convolution.
                        CpuGemm.Gemm(new GemmProblem<T>(pw + ((long)group * outs * rows), groupGrad, pointwise ? groupGradX : pc, rows, plane, outs, true, false, T.One, T.Zero, packedA: pk + (group * packedSize)), serial);
                    }

                    if (!pointwise)
                    {
                        // col2im of this image's group.
                        ConvolutionKernels.FoldPlanes<T>(col, g.OutPlane, 0, g, 0, g.GroupChannels, gradX.AsSpan((int)g.InputPlaneOffset(n, group, 0), g.GroupChannels * g.Height * g.Width));
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

    /// <summary>A 1×1 convolution with stride 1 and no padding: each image is its own column matrix.</summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelH == 1 && g.KernelW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 && g.OutPlane == g.Height * g.Width;
}
