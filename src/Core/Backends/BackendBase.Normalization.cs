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
        Scalar(ScalarOp.Add, rstd, eps, rstd);
        Unary(UnaryOp.Sqrt, rstd, rstd);
        Scalar(ScalarOp.ReverseDiv, rstd, 1, rstd);
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
}
