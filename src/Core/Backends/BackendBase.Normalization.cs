namespace TensorGrad.Backends;

/// <summary>Composite defaults of the normalization kernels, built from the primitives.</summary>
public abstract partial class BackendBase
{
    /// <inheritdoc />
    /// <remarks>Default: row means and variances by reductions, then broadcast arithmetic.</remarks>
    public virtual void LayerNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int rows, int cols, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer rstd)
    {
        Shape full = new(rows, cols), column = new(rows, 1), row = new(1, cols);
        Reduce(ReduceOp.Sum, x, rows, cols, 1, mean);
        Scalar(ScalarOp.Mul, mean, 1.0 / cols, mean);
        Binary(BinaryOp.Sub, x, full, mean, column, y, full);
        var squares = Allocate(full.Size, x.DType);
        try
        {
            Unary(UnaryOp.Square, y, squares);
            Reduce(ReduceOp.Sum, squares, rows, cols, 1, rstd);
        }
        finally
        {
            Release(squares);
        }

        Scalar(ScalarOp.Mul, rstd, 1.0 / cols, rstd);
        InverseStd(rstd, eps, rstd);
        Binary(BinaryOp.Mul, y, full, rstd, column, y, full);
        if (weight is not null)
        {
            Binary(BinaryOp.Mul, y, full, weight, row, y, full);
        }

        if (bias is not null)
        {
            Binary(BinaryOp.Add, y, full, bias, row, y, full);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default: x̂ = (x - mean)·rstd, ĝ = gradY·weight, gradX = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)),
    /// gradWeight = Σ gradY·x̂ and gradBias = Σ gradY over the rows.
    /// </remarks>
    public virtual void LayerNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer rstd, int rows, int cols, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        Shape full = new(rows, cols), column = new(rows, 1), row = new(1, cols);
        var xHat = Allocate(full.Size, x.DType);
        var scratch = Allocate(full.Size, x.DType);
        var rowSum = Allocate(rows, x.DType);
        try
        {
            Binary(BinaryOp.Sub, x, full, mean, column, xHat, full);
            Binary(BinaryOp.Mul, xHat, full, rstd, column, xHat, full);
            if (gradWeight is not null)
            {
                Binary(BinaryOp.Mul, gradY, full, xHat, full, scratch, full);
                Reduce(ReduceOp.Sum, scratch, 1, rows, cols, gradWeight);
            }

            if (gradBias is not null)
            {
                Reduce(ReduceOp.Sum, gradY, 1, rows, cols, gradBias);
            }

            // gradX (used as ĝ first) = gradY·weight.
            if (weight is not null)
            {
                Binary(BinaryOp.Mul, gradY, full, weight, row, gradX, full);
            }
            else
            {
                Copy(gradY, gradX);
            }

            // scratch = x̂·mean(ĝ·x̂) per row.
            Binary(BinaryOp.Mul, gradX, full, xHat, full, scratch, full);
            Reduce(ReduceOp.Sum, scratch, rows, cols, 1, rowSum);
            Scalar(ScalarOp.Mul, rowSum, 1.0 / cols, rowSum);
            Binary(BinaryOp.Mul, xHat, full, rowSum, column, scratch, full);

            // gradX = rstd·(ĝ - mean(ĝ) - scratch).
            Reduce(ReduceOp.Sum, gradX, rows, cols, 1, rowSum);
            Scalar(ScalarOp.Mul, rowSum, 1.0 / cols, rowSum);
            Binary(BinaryOp.Sub, gradX, full, rowSum, column, gradX, full);
            Binary(BinaryOp.Sub, gradX, full, scratch, full, gradX, full);
            Binary(BinaryOp.Mul, gradX, full, rstd, column, gradX, full);
        }
        finally
        {
            Release(rowSum);
            Release(scratch);
            Release(xHat);
        }
    }

    /// <inheritdoc />
    /// <remarks>Default: per-channel sums by two reductions (over inner, then outer), then broadcast arithmetic.</remarks>
    public virtual void BatchNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int outer, int channels, int inner, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer variance)
    {
        Shape full = new(outer, channels, inner), perChannel = new(1, channels, 1);
        ChannelSums(x, outer, channels, inner, mean);
        Scalar(ScalarOp.Mul, mean, 1.0 / ((double)outer * inner), mean);
        Binary(BinaryOp.Sub, x, full, mean, perChannel, y, full);
        var squares = Allocate(full.Size, x.DType);
        try
        {
            Unary(UnaryOp.Square, y, squares);
            ChannelSums(squares, outer, channels, inner, variance);
        }
        finally
        {
            Release(squares);
        }

        Scalar(ScalarOp.Mul, variance, 1.0 / ((double)outer * inner), variance);
        var rstd = Allocate(variance.Length, variance.DType);
        InverseStd(variance, eps, rstd);
        try
        {
            Binary(BinaryOp.Mul, y, full, rstd, perChannel, y, full);
        }
        finally
        {
            Release(rstd);
        }

        if (weight is not null)
        {
            Binary(BinaryOp.Mul, y, full, weight, perChannel, y, full);
        }

        if (bias is not null)
        {
            Binary(BinaryOp.Add, y, full, bias, perChannel, y, full);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default: with x̂ = (x - mean)·rstd and ĝ = gradY·weight per channel,
    /// gradX = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)), gradWeight = Σ gradY·x̂, gradBias = Σ gradY.
    /// </remarks>
    public virtual void BatchNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer variance, int outer, int channels, int inner, double eps, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        Shape full = new(outer, channels, inner), perChannel = new(1, channels, 1);
        double inverseCount = 1.0 / ((double)outer * inner);
        var rstd = Allocate(variance.Length, variance.DType);
        InverseStd(variance, eps, rstd);
        var xHat = Allocate(full.Size, x.DType);
        var scratch = Allocate(full.Size, x.DType);
        var sums = Allocate(channels, x.DType);
        try
        {
            Binary(BinaryOp.Sub, x, full, mean, perChannel, xHat, full);
            Binary(BinaryOp.Mul, xHat, full, rstd, perChannel, xHat, full);
            Binary(BinaryOp.Mul, gradY, full, xHat, full, scratch, full);
            if (gradWeight is not null)
            {
                ChannelSums(scratch, outer, channels, inner, gradWeight);
            }

            if (gradBias is not null)
            {
                ChannelSums(gradY, outer, channels, inner, gradBias);
            }

            // gradX (as ĝ first) = gradY·weight; scratch = x̂·mean(ĝ·x̂).
            if (weight is not null)
            {
                Binary(BinaryOp.Mul, gradY, full, weight, perChannel, gradX, full);
            }
            else
            {
                Copy(gradY, gradX);
            }

            Binary(BinaryOp.Mul, gradX, full, xHat, full, scratch, full);
            ChannelSums(scratch, outer, channels, inner, sums);
            Scalar(ScalarOp.Mul, sums, inverseCount, sums);
            Binary(BinaryOp.Mul, xHat, full, sums, perChannel, scratch, full);
            ChannelSums(gradX, outer, channels, inner, sums);
            Scalar(ScalarOp.Mul, sums, inverseCount, sums);
            Binary(BinaryOp.Sub, gradX, full, sums, perChannel, gradX, full);
            Binary(BinaryOp.Sub, gradX, full, scratch, full, gradX, full);
            Binary(BinaryOp.Mul, gradX, full, rstd, perChannel, gradX, full);
        }
        finally
        {
            Release(sums);
            Release(scratch);
            Release(xHat);
            Release(rstd);
        }
    }

    /// <summary>Per-channel sums of x [outer, channels, inner] into sums [channels].</summary>
    private void ChannelSums(DeviceBuffer x, int outer, int channels, int inner, DeviceBuffer sums)
    {
        var rows = Allocate((long)outer * channels, x.DType);
        try
        {
            Reduce(ReduceOp.Sum, x, outer * channels, inner, 1, rows);
            Reduce(ReduceOp.Sum, rows, 1, outer, channels, sums);
        }
        finally
        {
            Release(rows);
        }
    }

    /// <summary>rstd = 1/√(variance + eps); <paramref name="rstd"/> may be <paramref name="variance"/>.</summary>
    private void InverseStd(DeviceBuffer variance, double eps, DeviceBuffer rstd)
    {
        Scalar(ScalarOp.Add, variance, eps, rstd);
        Unary(UnaryOp.Sqrt, rstd, rstd);
        Scalar(ScalarOp.ReverseDiv, rstd, 1, rstd);
    }
}
