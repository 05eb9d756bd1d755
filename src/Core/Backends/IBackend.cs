namespace TensorGrad.Backends;

/// <summary>
/// The primitive kernels a device supplies. Core composes every op and gradient from these;
/// <see cref="BackendBase"/> gives composite defaults for the fused kernels. Buffers are
/// contiguous and row-major; shapes passed here have already been validated by Core. The
/// elementwise kernels (Unary, Scalar, Binary) accept an output buffer that is also an input of
/// the same shape (in-place use); the other kernels need distinct outputs.
/// </summary>
public interface IBackend
{
    /// <summary>The device this backend runs on.</summary>
    Device Device { get; }

    /// <summary>True when tensors of <paramref name="dtype"/> can live on this backend.</summary>
    bool Supports(DType dtype);

    /// <summary>A buffer of <paramref name="length"/> elements from the pool; its contents are unspecified.</summary>
    DeviceBuffer Allocate(long length, DType dtype);

    /// <summary>Returns a buffer to the pool. The caller must not use it again.</summary>
    void Release(DeviceBuffer buffer);

    /// <summary>Copies host values into a buffer of the same length, converting to its dtype.</summary>
    void Upload(ReadOnlySpan<float> source, DeviceBuffer destination);

    /// <inheritdoc cref="Upload(ReadOnlySpan{float}, DeviceBuffer)"/>
    void Upload(ReadOnlySpan<double> source, DeviceBuffer destination);

    /// <summary>Copies a buffer to host memory of the same length, converting from its dtype; waits for pending work.</summary>
    void Download(DeviceBuffer source, Span<float> destination);

    /// <inheritdoc cref="Download(DeviceBuffer, Span{float})"/>
    void Download(DeviceBuffer source, Span<double> destination);

    /// <summary>Copies between two buffers of this backend with the same length, converting dtype if they differ.</summary>
    void Copy(DeviceBuffer source, DeviceBuffer destination);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(DeviceBuffer destination, double value);

    /// <summary><c>y[i] = f(x[i])</c> for buffers of equal length.</summary>
    void Unary(UnaryFunction f, DeviceBuffer x, DeviceBuffer y);

    /// <summary>
    /// The gradient of a unary function: <c>gradInput[i] = gradOutput[i]·f′</c>, where f′ is read from
    /// <paramref name="saved"/>, f's output if <see cref="UnaryOps.GradientFromOutput"/> says so, else its input.
    /// </summary>
    void UnaryBackward(UnaryFunction f, DeviceBuffer saved, DeviceBuffer gradOutput, DeviceBuffer gradInput);

    /// <summary><c>y[i] = op(x[i], scalar)</c> for buffers of equal length.</summary>
    void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y);

    /// <summary><c>y = op(a, b)</c> with NumPy broadcasting; <paramref name="yShape"/> is the broadcast of the two input shapes.</summary>
    void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape);

    /// <summary>
    /// Reduces x viewed as [outer, axis, inner] along the middle dimension into y of [outer, inner].
    /// An empty axis gives 0 for Sum and -∞ for Max.
    /// </summary>
    void Reduce(ReduceOp op, DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer y);

    /// <summary>Index (stored as a float value) of the first maximum of x [outer, axis, inner] along the middle dimension, into y [outer, inner].</summary>
    void ArgMax(DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer indices);

    /// <summary>
    /// The inverse of a gather: y [outer, axis, inner] is zero except <c>y[o, indices[o, i], i] = source[o, i]</c>.
    /// Indices are float values in [0, axis).
    /// </summary>
    void ScatterAlongAxis(DeviceBuffer source, DeviceBuffer indices, int outer, int axis, int inner, DeviceBuffer y);

    /// <summary>
    /// <c>C = alpha·op(A)·op(B) + beta·C</c>, row-major. op(A) is m×k (A stored k×m when
    /// <paramref name="transA"/>), op(B) is k×n (B stored n×k when <paramref name="transB"/>), C is m×n.
    /// With beta = 0 the previous contents of C are ignored.
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, DeviceBuffer a, DeviceBuffer b, double beta, DeviceBuffer c);

    /// <summary>y [cols, rows] = transpose of x [rows, cols].</summary>
    void Transpose2D(DeviceBuffer x, int rows, int cols, DeviceBuffer y);

    /// <summary>Broadcast copy of x into y; <paramref name="yShape"/> is a broadcast of <paramref name="xShape"/>.</summary>
    void Expand(DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape yShape);

    /// <summary>
    /// The strided copy <paramref name="layout"/> describes, from x into a distinct buffer y; elements
    /// of y outside it keep their values.
    /// </summary>
    void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y);

    /// <summary>
    /// The column matrix of group <paramref name="group"/> of x [Batch, Channels, Height, Width]:
    /// col [<see cref="ConvGeometry.ColumnRows"/>, <see cref="ConvGeometry.ColumnCols"/>] with
    /// <c>col[(c, i, j), (n, oh, ow)] = x[n, group·GroupChannels + c, oh·strideH - padH + i·dilationH, ow·strideW - padW + j·dilationW]</c>,
    /// or <paramref name="padValue"/> where that position lies outside the image.
    /// </summary>
    void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col);

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: each element of x in group <paramref name="group"/>'s
    /// channels is overwritten with the sum of the column entries that read it (0 if none); the
    /// other channels keep their values.
    /// </summary>
    void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x);

    /// <summary>
    /// Inverted dropout in one pass: <c>mask[i] = 1 / (1 - p)</c> where the Philox word at
    /// <c>offset + i</c> of <paramref name="stream"/> keeps element i (its top 24 bits ≥
    /// <see cref="Philox.KeepThreshold"/>), else 0 (all 0 for p = 1), and <c>y[i] = x[i]·mask[i]</c>.
    /// Takes its offsets from the stream when it runs, so every backend draws the same mask for the
    /// same stream position.
    /// </summary>
    void Dropout(DeviceBuffer x, double p, RandomStream stream, DeviceBuffer y, DeviceBuffer mask);

    /// <summary>
    /// The fully connected layer: y [rows, outFeatures] = x [rows, inFeatures] · weightᵀ (weight is
    /// [outFeatures, inFeatures]) plus <paramref name="bias"/> [outFeatures] on every row when given,
    /// then ReLU when <paramref name="relu"/>.
    /// </summary>
    void Linear(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, int rows, int inFeatures, int outFeatures, bool relu, DeviceBuffer y);

    /// <summary>
    /// Layer normalization of each row of x [rows, cols]: <c>y = (x - mean)·rstd·weight + bias</c>
    /// with rstd = 1/√(biased variance + eps); weight and bias [cols] are optional. Writes each
    /// row's mean and rstd [rows] for the backward.
    /// </summary>
    void LayerNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int rows, int cols, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer rstd);

    /// <summary>
    /// The gradients of <see cref="LayerNorm"/>: gradX [rows, cols], and (when given) gradWeight
    /// and gradBias [cols] summed over the rows; all are overwritten.
    /// </summary>
    void LayerNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer rstd, int rows, int cols, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias);

    /// <summary>
    /// Batch normalization of x [outer, channels, inner] with the batch's statistics: per channel
    /// the mean and biased variance over outer and inner (written to <paramref name="mean"/> and
    /// <paramref name="variance"/> [channels]), then <c>y = (x - mean)/√(variance + eps)·weight + bias</c>.
    /// </summary>
    void BatchNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int outer, int channels, int inner, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer variance);

    /// <summary>
    /// The gradients of <see cref="BatchNorm"/>: gradX [outer, channels, inner], and (when given)
    /// gradWeight and gradBias [channels]; all are overwritten.
    /// </summary>
    void BatchNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer variance, int outer, int channels, int inner, double eps, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias);

    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch's): y [Batch, OutChannels, OutHeight, OutWidth]
    /// from x [Batch, Channels, Height, Width], weight [OutChannels, GroupChannels, KernelH, KernelW]
    /// and the optional bias [OutChannels].
    /// </summary>
    void Conv2d(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, in ConvGeometry geometry, DeviceBuffer y);

    /// <summary>
    /// The gradients of <see cref="Conv2d"/> that are asked for (non-null), each overwritten:
    /// gradX like x, gradWeight like the weight, gradBias [OutChannels].
    /// </summary>
    void Conv2dBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer weight, in ConvGeometry geometry, DeviceBuffer? gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias);

    /// <summary>
    /// 2-D pooling of each channel of x [Batch, Channels, Height, Width] into y [Batch, Channels,
    /// OutHeight, OutWidth] (the geometry's OutChannels equal its Channels, one group). For
    /// <see cref="PoolKind.Max"/>, <paramref name="indices"/> (like y) receives the window position
    /// i·KernelW + j of each maximum (the first one), as a float value.
    /// </summary>
    void Pool2d(PoolKind kind, DeviceBuffer x, in ConvGeometry geometry, DeviceBuffer y, DeviceBuffer? indices);

    /// <summary>
    /// The gradient of <see cref="Pool2d"/>, overwriting gradX: to each window's maximum (read from
    /// <paramref name="indices"/>) for <see cref="PoolKind.Max"/>, spread evenly over the window for
    /// <see cref="PoolKind.Average"/>.
    /// </summary>
    void Pool2dBackward(PoolKind kind, DeviceBuffer gradY, DeviceBuffer? indices, in ConvGeometry geometry, DeviceBuffer gradX);

    /// <summary>Softmax (or log-softmax when <paramref name="log"/>) of x [outer, axis, inner] along the middle dimension, stable for large inputs.</summary>
    void Softmax(DeviceBuffer x, int outer, int axis, int inner, bool log, DeviceBuffer y);

    /// <summary>
    /// Fused stable softmax cross-entropy: for logits [rows, classes] and class ids [rows]
    /// (float values in [0, classes)), losses[r] = -log softmax(logits[r])[label r] and
    /// probabilities = softmax(logits). A label outside [0, classes) or not an integer raises an
    /// <see cref="ArgumentException"/> naming the row.
    /// </summary>
    void SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer losses, DeviceBuffer probabilities);

    /// <summary>gradLogits[r, c] = (probabilities[r, c] - [c == label r]) · gradLosses[r].</summary>
    void SoftmaxCrossEntropyBackward(DeviceBuffer probabilities, DeviceBuffer labels, DeviceBuffer gradLosses, int rows, int classes, DeviceBuffer gradLogits);

    /// <summary>Waits until every kernel and copy launched so far has finished (a no-op on synchronous backends).</summary>
    void Synchronize();

    /// <summary>Σ x[i]², accumulated in double precision; waits for pending work.</summary>
    double SumOfSquares(DeviceBuffer x);

    /// <summary>
    /// Fused in-place SGD step: updates <paramref name="parameter"/> (and <paramref name="velocity"/>,
    /// the momentum buffer, when momentum is non-zero) from <paramref name="gradient"/>, all of one length.
    /// </summary>
    void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, in SgdUpdate update);

    /// <summary>
    /// Fused in-place Adam/AdamW step: updates <paramref name="parameter"/> and the moment buffers
    /// <paramref name="firstMoment"/> and <paramref name="secondMoment"/> from <paramref name="gradient"/>, all of one length.
    /// </summary>
    void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update);

    /// <summary>
    /// The SGD step of a linear layer's weight from its gradient product (an optimizer that steps
    /// in the backward pass, <see cref="Optim.Optimizer.StepInBackward"/>): the same update as
    /// <see cref="SgdStep(DeviceBuffer, DeviceBuffer, DeviceBuffer?, in SgdUpdate)"/> with the
    /// gradient <paramref name="gradient"/> describes, which a backend need not write out.
    /// </summary>
    void SgdStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer? velocity, in SgdUpdate update);

    /// <summary>
    /// The Adam/AdamW step of a linear layer's weight from its gradient product: the same update
    /// as <see cref="AdamStep(DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, in AdamUpdate)"/>
    /// with the gradient <paramref name="gradient"/> describes, which a backend need not write out.
    /// </summary>
    void AdamStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update);
}
