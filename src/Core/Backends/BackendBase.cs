namespace TensorGrad.Backends;

/// <summary>
/// Base class for backends: the primitives are abstract, and the fused kernels have composite
/// defaults built from them. A backend overrides a composite only when it has a faster kernel.
/// </summary>
public abstract partial class BackendBase : IBackend
{
    /// <inheritdoc />
    public abstract Device Device { get; }

    /// <inheritdoc />
    public abstract bool Supports(DType dtype);

    /// <inheritdoc />
    public abstract DeviceBuffer Allocate(long length, DType dtype);

    /// <inheritdoc />
    public abstract void Release(DeviceBuffer buffer);

    /// <inheritdoc />
    public abstract void Upload(ReadOnlySpan<float> source, DeviceBuffer destination);

    /// <inheritdoc />
    public abstract void Upload(ReadOnlySpan<double> source, DeviceBuffer destination);

    /// <inheritdoc />
    public abstract void Download(DeviceBuffer source, Span<float> destination);

    /// <inheritdoc />
    public abstract void Download(DeviceBuffer source, Span<double> destination);

    /// <inheritdoc />
    public abstract void Copy(DeviceBuffer source, DeviceBuffer destination);

    /// <inheritdoc />
    public abstract void Fill(DeviceBuffer destination, double value);

    /// <inheritdoc />
    public abstract void Unary(UnaryFunction f, DeviceBuffer x, DeviceBuffer y);

    /// <inheritdoc />
    public abstract void UnaryBackward(UnaryFunction f, DeviceBuffer saved, DeviceBuffer gradOutput, DeviceBuffer gradInput);

    /// <inheritdoc />
    public abstract void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y);

    /// <inheritdoc />
    public abstract void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape);

    /// <inheritdoc />
    public abstract void Reduce(ReduceOp op, DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer y);

    /// <inheritdoc />
    public abstract void ArgMax(DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer indices);

    /// <inheritdoc />
    public abstract void ScatterAlongAxis(DeviceBuffer source, DeviceBuffer indices, int outer, int axis, int inner, DeviceBuffer y);

    /// <inheritdoc />
    public abstract void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, DeviceBuffer a, DeviceBuffer b, double beta, DeviceBuffer c);

    /// <inheritdoc />
    public abstract void Transpose2D(DeviceBuffer x, int rows, int cols, DeviceBuffer y);

    /// <inheritdoc />
    /// <remarks>Default: nothing, for backends whose kernels finish before they return.</remarks>
    public virtual void Synchronize()
    {
    }

    /// <inheritdoc />
    /// <remarks>Default: the mask drawn on the host and uploaded, then a product.</remarks>
    public virtual void Dropout(DeviceBuffer x, double p, RandomStream stream, DeviceBuffer y, DeviceBuffer mask)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var host = new double[mask.Length];
        DropoutMasks.Fill(host, p, stream.Seed, stream.Take(mask.Length));
        Upload(host, mask);
        var shape = new Shape(checked((int)mask.Length));
        Binary(BinaryOp.Mul, x, shape, mask, shape, y, shape);
    }

    /// <inheritdoc />
    /// <remarks>Default: fill y with zeros, then add x with broadcasting.</remarks>
    public virtual void Expand(DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape yShape)
    {
        Fill(y, 0);
        Binary(BinaryOp.Add, y, yShape, x, xShape, y, yShape);
    }

    /// <inheritdoc />
    /// <remarks>Default: a GEMM reading the weight transposed, then <see cref="BiasAdd"/> and ReLU in place.</remarks>
    public virtual void Linear(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, int rows, int inFeatures, int outFeatures, bool relu, DeviceBuffer y)
    {
        Gemm(false, true, rows, outFeatures, inFeatures, 1.0, x, weight, 0.0, y);
        if (bias is not null)
        {
            BiasAdd(y, bias, rows, outFeatures, y);
        }

        if (relu)
        {
            Unary(UnaryOp.Relu, y, y);
        }
    }

    /// <summary>y [rows, cols] = x [rows, cols] + bias [cols] on every row, for the default <see cref="Linear"/>. Default: a broadcasting add of bias as a [1, cols] row.</summary>
    protected virtual void BiasAdd(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y) =>
        Binary(BinaryOp.Add, x, new Shape(rows, cols), bias, new Shape(1, cols), y, new Shape(rows, cols));

    /// <inheritdoc />
    /// <remarks>Default: subtract the max, exponentiate, divide by the sum (or subtract its log).</remarks>
    public virtual void Softmax(DeviceBuffer x, int outer, int axis, int inner, bool log, DeviceBuffer y)
    {
        var full = new Shape(outer, axis, inner);
        var reduced = new Shape(outer, 1, inner);
        var stat = Allocate(reduced.Size, x.DType);
        try
        {
            Reduce(ReduceOp.Max, x, outer, axis, inner, stat);
            Binary(BinaryOp.Sub, x, full, stat, reduced, y, full);
            var exp = Allocate(full.Size, x.DType);
            try
            {
                Unary(UnaryOp.Exp, y, exp);
                Reduce(ReduceOp.Sum, exp, outer, axis, inner, stat);
                if (log)
                {
                    Unary(UnaryOp.Log, stat, stat);
                    Binary(BinaryOp.Sub, y, full, stat, reduced, y, full);
                }
                else
                {
                    Binary(BinaryOp.Div, exp, full, stat, reduced, y, full);
                }
            }
            finally
            {
                Release(exp);
            }
        }
        finally
        {
            Release(stat);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Default: the labels are read back and checked as the fused kernels check them, then
    /// log-softmax, the label's entry picked by a one-hot mask (a scatter of ones) and summed per row.
    /// </remarks>
    public virtual void SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer losses, DeviceBuffer probabilities)
    {
        CheckClassIds(labels, rows, classes);
        var full = new Shape(rows, classes);
        var logProbabilities = Allocate(full.Size, logits.DType);
        var oneHot = OneHot(labels, rows, classes, logits.DType);
        try
        {
            Softmax(logits, rows, classes, 1, log: true, logProbabilities);
            Unary(UnaryOp.Exp, logProbabilities, probabilities);
            Binary(BinaryOp.Mul, logProbabilities, full, oneHot, full, logProbabilities, full);
            Reduce(ReduceOp.Sum, logProbabilities, rows, classes, 1, losses);
            Unary(UnaryOp.Neg, losses, losses);
        }
        finally
        {
            Release(oneHot);
            Release(logProbabilities);
        }
    }

    /// <inheritdoc />
    /// <remarks>Default: (probabilities - one-hot) times the per-row gradient.</remarks>
    public virtual void SoftmaxCrossEntropyBackward(DeviceBuffer probabilities, DeviceBuffer labels, DeviceBuffer gradLosses, int rows, int classes, DeviceBuffer gradLogits)
    {
        var full = new Shape(rows, classes);
        var oneHot = OneHot(labels, rows, classes, probabilities.DType);
        try
        {
            Binary(BinaryOp.Sub, probabilities, full, oneHot, full, gradLogits, full);
            Binary(BinaryOp.Mul, gradLogits, full, gradLosses, new Shape(rows, 1), gradLogits, full);
        }
        finally
        {
            Release(oneHot);
        }
    }

    /// <summary>Throws for the first row whose class id is not an integer in [0, classes), with the fused kernels' message.</summary>
    private void CheckClassIds(DeviceBuffer labels, int rows, int classes)
    {
        var ids = new double[rows];
        Download(labels, ids);
        int row = Array.FindIndex(ids, id => !(id >= 0 && id < classes && id == Math.Floor(id)));
        if (row >= 0)
        {
            throw new ArgumentException($"CrossEntropy: class id {ids[row].ToString(System.Globalization.CultureInfo.InvariantCulture)} in row {row} is not an integer in [0, {classes}) (logits [{rows}, {classes}] on {Device}).");
        }
    }

    private DeviceBuffer OneHot(DeviceBuffer labels, int rows, int classes, DType dtype)
    {
        var ones = Allocate(rows, dtype);
        var oneHot = Allocate((long)rows * classes, dtype);
        Fill(ones, 1);
        ScatterAlongAxis(ones, labels, rows, classes, 1, oneHot);
        Release(ones);
        return oneHot;
    }
}
