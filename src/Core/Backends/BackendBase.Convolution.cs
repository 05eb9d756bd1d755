namespace TensorGrad.Backends;

/// <summary>
/// The layout primitives (strided copy, im2col and its adjoint) and the composite defaults of the
/// convolution and pooling kernels built from them: per group, the column matrix times the
/// weight as one GEMM over as many images as <see cref="ColumnBudget"/> allows.
/// </summary>
public abstract partial class BackendBase
{
    /// <inheritdoc />
    public abstract void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y);

    /// <inheritdoc />
    public abstract void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col);

    /// <inheritdoc />
    public abstract void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x);

    /// <summary>
    /// Elements a group's column matrix may take in the composite convolutions: the batch runs in
    /// passes of as many images as fit (at least one), so a large batch of large images neither
    /// holds a column matrix of the whole batch nor exceeds a backend's buffer limit. 2²⁶ elements
    /// (256 MB in float32); tests lower it on their backend to run several passes.
    /// </summary>
    internal long ColumnBudget { get; set; } = 1L << 26;

    /// <inheritdoc />
    /// <remarks>
    /// Default, per pass of images (<see cref="ColumnBudget"/>) and group: the column matrix, the
    /// product with the group's weight rows [GroupOutChannels, images·OutPlane] (channel-major),
    /// scattered into the group's output channels; the bias enters as a rank-1 product
    /// (bias ⊗ ones) the GEMM adds to.
    /// </remarks>
    public virtual void Conv2d(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, in ConvGeometry geometry, DeviceBuffer y)
    {
        var g = geometry;
        int per = ImagesPerPass(g), rows = g.ColumnRows, outs = g.GroupOutChannels;
        int cols = (g with { Batch = per }).ColumnCols;
        var images = per < g.Batch ? Allocate((long)per * ImageSize(g), x.DType) : null;
        var col = Allocate((long)rows * cols, x.DType);
        var product = Allocate((long)outs * cols, x.DType);
        var groupWeight = g.Groups > 1 ? Allocate((long)outs * rows, x.DType) : weight;
        var groupBias = bias is not null && g.Groups > 1 ? Allocate(outs, x.DType) : bias;
        var ones = bias is not null ? Ones(cols, x.DType) : null;
        try
        {
            for (int first = 0; first < g.Batch; first += per)
            {
                var pass = Pass(x, g, first, per, images);
                for (int group = 0; group < g.Groups; group++)
                {
                    Im2Col(images ?? x, pass, group, 0, col);
                    if (g.Groups > 1)
                    {
                        CopyStrided(weight, Contiguous(outs * rows, group * outs * rows, 0), groupWeight);
                    }

                    // The bias as a rank-1 product (bias ⊗ ones) that the weight product adds to.
                    if (groupBias is not null)
                    {
                        if (g.Groups > 1)
                        {
                            CopyStrided(bias!, Contiguous(outs, group * outs, 0), groupBias);
                        }

                        Gemm(false, false, outs, pass.ColumnCols, 1, 1, groupBias, ones!, 0, product);
                    }

                    Gemm(false, false, outs, pass.ColumnCols, rows, 1, groupWeight, col, groupBias is null ? 0 : 1, product);
                    CopyStrided(product, ChannelMajorToBatch(pass, group, first, toBatch: true), y);
                }
            }
        }
        finally
        {
            Release(col);
            Release(product);
            ReleaseIfAny(images);
            if (g.Groups > 1)
            {
                Release(groupWeight);
                ReleaseIfAny(groupBias);
            }

            ReleaseIfAny(ones);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default, per group and pass of images (<see cref="ColumnBudget"/>): the output gradient
    /// gathered channel-major; the weight gradient as its product with the column matrixᵀ (summed
    /// over the passes), the input gradient as the weightᵀ times it, folded back by
    /// <see cref="Col2Im"/>; the bias gradient as sums over the batch and the positions.
    /// </remarks>
    public virtual void Conv2dBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer weight, in ConvGeometry geometry, DeviceBuffer? gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        var g = geometry;
        int rows = g.ColumnRows, outs = g.GroupOutChannels, block = outs * rows;
        if (gradBias is not null)
        {
            var perPosition = Allocate((long)g.OutChannels * g.OutPlane, gradY.DType);
            Reduce(ReduceOp.Sum, gradY, 1, g.Batch, g.OutChannels * g.OutPlane, perPosition);
            Reduce(ReduceOp.Sum, perPosition, g.OutChannels, g.OutPlane, 1, gradBias);
            Release(perPosition);
        }

        if (gradX is null && gradWeight is null)
        {
            return;
        }

        bool grouped = g.Groups > 1;
        int per = ImagesPerPass(g), cols = (g with { Batch = per }).ColumnCols;
        bool passes = per < g.Batch;
        var images = passes && gradWeight is not null ? Allocate((long)per * ImageSize(g), x.DType) : null;
        var gradImages = passes && gradX is not null ? Allocate((long)per * ImageSize(g), x.DType) : null;
        var col = Allocate((long)rows * cols, x.DType);
        var gradGroup = Allocate((long)outs * cols, x.DType);
        var groupWeight = grouped ? Allocate(block, x.DType) : weight;
        var groupGradWeight = grouped ? Allocate(block, x.DType) : gradWeight;
        try
        {
            for (int group = 0; group < g.Groups; group++)
            {
                if (grouped && gradX is not null)
                {
                    CopyStrided(weight, Contiguous(block, group * block, 0), groupWeight);
                }

                for (int first = 0; first < g.Batch; first += per)
                {
                    var pass = Pass(gradWeight is null ? null : x, g, first, per, images);
                    CopyStrided(gradY, ChannelMajorToBatch(pass, group, first, toBatch: false), gradGroup);
                    if (gradWeight is not null)
                    {
                        Im2Col(images ?? x, pass, group, 0, col);
                        Gemm(false, true, outs, rows, pass.ColumnCols, 1, gradGroup, col, first == 0 ? 0 : 1, groupGradWeight!);
                    }

                    if (gradX is not null)
                    {
                        Gemm(true, false, rows, pass.ColumnCols, outs, 1, groupWeight, gradGroup, 0, col);
                        Col2Im(col, pass, group, gradImages ?? gradX);
                        if (gradImages is not null)
                        {
                            CopyStrided(gradImages, GroupChannels(pass, group, first), gradX);
                        }
                    }
                }

                if (grouped && gradWeight is not null)
                {
                    CopyStrided(groupGradWeight!, Contiguous(block, 0, group * block), gradWeight);
                }
            }
        }
        finally
        {
            Release(col);
            Release(gradGroup);
            ReleaseIfAny(images);
            ReleaseIfAny(gradImages);
            if (grouped)
            {
                Release(groupWeight);
                Release(groupGradWeight!);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default: each channel's column matrix (padding read as -∞ for max, 0 for average), reduced
    /// along its window rows by <see cref="Reduce"/> (and <see cref="ArgMax"/> for the indices).
    /// </remarks>
    public virtual void Pool2d(PoolKind kind, DeviceBuffer x, in ConvGeometry geometry, DeviceBuffer y, DeviceBuffer? indices)
    {
        var g = geometry.PerChannel;
        int window = g.ColumnRows, cols = g.ColumnCols;
        var col = Allocate((long)window * cols, x.DType);
        try
        {
            Im2Col(x, g, 0, kind == PoolKind.Max ? double.NegativeInfinity : 0, col);
            if (kind == PoolKind.Max)
            {
                Reduce(ReduceOp.Max, col, 1, window, cols, y);
                if (indices is not null)
                {
                    ArgMax(col, 1, window, cols, indices);
                }
            }
            else
            {
                Reduce(ReduceOp.Sum, col, 1, window, cols, y);
                Scalar(ScalarOp.Mul, y, 1.0 / window, y);
            }
        }
        finally
        {
            Release(col);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default: the window gradients as a column matrix (scattered to the maxima, or gradY / window
    /// on every window row as a rank-1 product), folded back by <see cref="Col2Im"/>.
    /// </remarks>
    public virtual void Pool2dBackward(PoolKind kind, DeviceBuffer gradY, DeviceBuffer? indices, in ConvGeometry geometry, DeviceBuffer gradX)
    {
        var g = geometry.PerChannel;
        int window = g.ColumnRows, cols = g.ColumnCols;
        var col = Allocate((long)window * cols, gradY.DType);
        DeviceBuffer? ones = null;
        try
        {
            if (kind == PoolKind.Max)
            {
                ScatterAlongAxis(gradY, indices ?? throw new ArgumentNullException(nameof(indices), "Pool2dBackward: max pooling needs the indices of its maxima."), 1, window, cols, col);
            }
            else
            {
                // Each window row gets gradY / window: the rank-1 product ones ⊗ gradY.
                ones = Ones(window, gradY.DType);
                Gemm(false, false, window, cols, 1, 1.0 / window, ones, gradY, 0, col);
            }

            Col2Im(col, g, 0, gradX);
        }
        finally
        {
            Release(col);
            ReleaseIfAny(ones);
        }
    }

    /// <summary>A buffer of <paramref name="length"/> ones, for the rank-1 products that broadcast without a shape.</summary>
    private DeviceBuffer Ones(int length, DType dtype)
    {
        var ones = Allocate(length, dtype);
        Fill(ones, 1);
        return ones;
    }

    /// <summary>A contiguous copy of <paramref name="length"/> elements between two offsets.</summary>
    private static CopyLayout Contiguous(int length, int srcOffset, int dstOffset) =>
        CopyLayout.Create([length], [1], srcOffset, [1], dstOffset);

    /// <summary>
    /// Between group <paramref name="group"/>'s channels of images [first, first + pass.Batch) of a
    /// [Batch, OutChannels, OutPlane] tensor and a channel-major [GroupOutChannels, pass.Batch,
    /// OutPlane] block, in the direction given.
    /// </summary>
    private static CopyLayout ChannelMajorToBatch(in ConvGeometry pass, int group, int first, bool toBatch)
    {
        int plane = pass.OutPlane, outs = pass.GroupOutChannels;
        ReadOnlySpan<int> sizes = [outs, pass.Batch, plane];
        ReadOnlySpan<int> channelMajor = [pass.Batch * plane, plane, 1];
        ReadOnlySpan<int> batchMajor = [plane, pass.OutChannels * plane, 1];
        int offset = (first * pass.OutChannels * plane) + (group * outs * plane);
        return toBatch
            ? CopyLayout.Create(sizes, channelMajor, 0, batchMajor, offset)
            : CopyLayout.Create(sizes, batchMajor, offset, channelMajor, 0);
    }

    /// <summary>Group <paramref name="group"/>'s input channels of a pass's images, into images [first, first + pass.Batch) of the whole input.</summary>
    private static CopyLayout GroupChannels(in ConvGeometry pass, int group, int first)
    {
        int plane = pass.Height * pass.Width, image = pass.Channels * plane;
        ReadOnlySpan<int> sizes = [pass.Batch, pass.GroupChannels, plane];
        ReadOnlySpan<int> strides = [image, plane, 1];
        int offset = group * pass.GroupChannels * plane;
        return CopyLayout.Create(sizes, strides, offset, strides, (first * image) + offset);
    }

    /// <summary>Images per pass of the composite convolutions: as many as keep a group's column matrix within <see cref="ColumnBudget"/>, at least one.</summary>
    private int ImagesPerPass(in ConvGeometry g) =>
        (int)Math.Clamp(ColumnBudget / Math.Max(1L, (long)g.ColumnRows * g.OutPlane), 1, Math.Max(1, g.Batch));

    /// <summary>Elements of one input image.</summary>
    private static long ImageSize(in ConvGeometry g) => (long)g.Channels * g.Height * g.Width;

    /// <summary>
    /// The geometry of the pass over images [first, first + per) (fewer at the end); when the batch
    /// runs in passes and <paramref name="x"/> is given, copies those images into <paramref name="images"/>.
    /// </summary>
    private ConvGeometry Pass(DeviceBuffer? x, in ConvGeometry g, int first, int per, DeviceBuffer? images)
    {
        var pass = g with { Batch = Math.Min(per, g.Batch - first) };
        if (x is not null && images is not null)
        {
            int image = (int)ImageSize(g);
            CopyStrided(x, Contiguous(pass.Batch * image, first * image, 0), images);
        }

        return pass;
    }

    private void ReleaseIfAny(DeviceBuffer? buffer)
    {
        if (buffer is not null)
        {
            Release(buffer);
        }
    }
}
