namespace TensorGrad.Backends;

/// <summary>
/// The layout primitives (strided copy, im2col and its adjoint) and the composite defaults of the
/// convolution and pooling kernels built from them: per group, the column matrix times the
/// weight as one GEMM over the whole batch.
/// </summary>
public abstract partial class BackendBase
{
    /// <inheritdoc />
    public abstract void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y);

    /// <inheritdoc />
    public abstract void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col);

    /// <inheritdoc />
    public abstract void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x);

    /// <inheritdoc />
    /// <remarks>
    /// Default, per group: the column matrix, the product with the group's weight rows
    /// [GroupOutChannels, ColumnCols] (channel-major over the batch), scattered into the group's
    /// output channels; the bias enters as a rank-1 product (bias ⊗ ones) the GEMM adds to.
    /// </remarks>
    public virtual void Conv2d(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, in ConvGeometry geometry, DeviceBuffer y)
    {
        var g = geometry;
        int rows = g.ColumnRows, cols = g.ColumnCols, outs = g.GroupOutChannels;
        var col = Allocate((long)rows * cols, x.DType);
        var product = Allocate((long)outs * cols, x.DType);
        var groupWeight = g.Groups > 1 ? Allocate((long)outs * rows, x.DType) : weight;
        var groupBias = bias is not null && g.Groups > 1 ? Allocate(outs, x.DType) : bias;
        var ones = bias is not null ? Ones(cols, x.DType) : null;
        try
        {
            for (int group = 0; group < g.Groups; group++)
            {
                Im2Col(x, g, group, 0, col);
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

                    Gemm(false, false, outs, cols, 1, 1, groupBias, ones!, 0, product);
                }

                Gemm(false, false, outs, cols, rows, 1, groupWeight, col, groupBias is null ? 0 : 1, product);
                CopyStrided(product, ChannelMajorToBatch(g, group, toBatch: true), y);
            }
        }
        finally
        {
            Release(col);
            Release(product);
            if (g.Groups > 1)
            {
                Release(groupWeight);
                if (groupBias is not null)
                {
                    Release(groupBias);
                }
            }

            if (ones is not null)
            {
                Release(ones);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default, per group: the output gradient gathered channel-major; the weight gradient as its
    /// product with the column matrixᵀ, the input gradient as the weightᵀ times it, folded back by
    /// <see cref="Col2Im"/>; the bias gradient as sums over the batch and the positions.
    /// </remarks>
    public virtual void Conv2dBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer weight, in ConvGeometry geometry, DeviceBuffer? gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        var g = geometry;
        int rows = g.ColumnRows, cols = g.ColumnCols, outs = g.GroupOutChannels, block = outs * rows;
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
        var col = Allocate((long)rows * cols, x.DType);
        var gradGroup = Allocate((long)outs * cols, x.DType);
        var groupWeight = grouped ? Allocate(block, x.DType) : weight;
        var groupGradWeight = grouped ? Allocate(block, x.DType) : gradWeight;
        try
        {
            for (int group = 0; group < g.Groups; group++)
            {
                CopyStrided(gradY, ChannelMajorToBatch(g, group, toBatch: false), gradGroup);
                if (gradWeight is not null)
                {
                    Im2Col(x, g, group, 0, col);
                    Gemm(false, true, outs, rows, cols, 1, gradGroup, col, 0, groupGradWeight!);
                    if (grouped)
                    {
                        CopyStrided(groupGradWeight!, Contiguous(block, 0, group * block), gradWeight);
                    }
                }

                if (gradX is not null)
                {
                    if (grouped)
                    {
                        CopyStrided(weight, Contiguous(block, group * block, 0), groupWeight);
                    }

                    Gemm(true, false, rows, cols, outs, 1, groupWeight, gradGroup, 0, col);
                    Col2Im(col, g, group, gradX);
                }
            }
        }
        finally
        {
            Release(col);
            Release(gradGroup);
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
            if (ones is not null)
            {
                Release(ones);
            }
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
    /// Between group <paramref name="group"/>'s channels of a [Batch, OutChannels, OutPlane] tensor
    /// and a channel-major [GroupOutChannels, Batch, OutPlane] block, in the direction given.
    /// </summary>
    private static CopyLayout ChannelMajorToBatch(in ConvGeometry g, int group, bool toBatch)
    {
        int plane = g.OutPlane, outs = g.GroupOutChannels;
        ReadOnlySpan<int> sizes = [outs, g.Batch, plane];
        ReadOnlySpan<int> channelMajor = [g.Batch * plane, plane, 1];
        ReadOnlySpan<int> batchMajor = [plane, g.OutChannels * plane, 1];
        int offset = group * outs * plane;
        return toBatch
            ? CopyLayout.Create(sizes, channelMajor, 0, batchMajor, offset)
            : CopyLayout.Create(sizes, batchMajor, offset, channelMajor, 0);
    }
}
