using TensorGrad.Backends;

namespace TensorGrad.Graphs;

/// <summary>
/// The backend that tensors hand out while a <see cref="KernelGraph"/> is being captured: each
/// kernel runs on the real backend at once and is kept, as the same closure, for every replay.
/// Releases wait for the graph, so no buffer a kernel touches goes back to the pool while the
/// graph may still run; a later allocation of the capture may take one back. What a replay could
/// not repeat (reading values to the host, uploading host data, optimizer steps whose scalars
/// change each step) throws.
/// </summary>
internal sealed class RecordingBackend(IBackend real, KernelCapture capture) : IBackend
{
    public IBackend Real => real;

    public Device Device => real.Device;

    public bool Supports(DType dtype) => real.Supports(dtype);

    public DeviceBuffer Allocate(long length, DType dtype) => capture.TakeReleased(real, length, dtype) ?? real.Allocate(length, dtype);

    public void Release(DeviceBuffer buffer) => capture.DeferRelease(real, buffer);

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination) => throw UploadRefused();

    public void Upload(ReadOnlySpan<double> source, DeviceBuffer destination) => throw UploadRefused();

    public void Download(DeviceBuffer source, Span<float> destination) => throw DownloadRefused();

    public void Download(DeviceBuffer source, Span<double> destination) => throw DownloadRefused();

    public double SumOfSquares(DeviceBuffer x) => throw Refused("computes a norm on the host (gradient clipping, monitors)", "clip or monitor after Replay(), outside the capture");

    public void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, in SgdUpdate update) => throw OptimizerRefused();

    public void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update) => throw OptimizerRefused();

    public void SgdStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer? velocity, in SgdUpdate update) => throw OptimizerRefused();

    public void AdamStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update) => throw OptimizerRefused();

    public void Synchronize() => real.Synchronize();

    public void Copy(DeviceBuffer source, DeviceBuffer destination) => Run(() => real.Copy(source, destination));

    public void Fill(DeviceBuffer destination, double value) => Run(() => real.Fill(destination, value));

    public void Unary(UnaryFunction f, DeviceBuffer x, DeviceBuffer y) => Run(() => real.Unary(f, x, y));

    public void UnaryBackward(UnaryFunction f, DeviceBuffer saved, DeviceBuffer gradOutput, DeviceBuffer gradInput) =>
        Run(() => real.UnaryBackward(f, saved, gradOutput, gradInput));

    public void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y) => Run(() => real.Scalar(op, x, scalar, y));

    public void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape) =>
        Run(() => real.Binary(op, a, aShape, b, bShape, y, yShape));

    public void Reduce(ReduceOp op, DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer y) => Run(() => real.Reduce(op, x, outer, axis, inner, y));

    public void ArgMax(DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer indices) => Run(() => real.ArgMax(x, outer, axis, inner, indices));

    public void ScatterAlongAxis(DeviceBuffer source, DeviceBuffer indices, int outer, int axis, int inner, DeviceBuffer y) =>
        Run(() => real.ScatterAlongAxis(source, indices, outer, axis, inner, y));

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, DeviceBuffer a, DeviceBuffer b, double beta, DeviceBuffer c) =>
        Run(() => real.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c));

    public void Transpose2D(DeviceBuffer x, int rows, int cols, DeviceBuffer y) => Run(() => real.Transpose2D(x, rows, cols, y));

    public void Expand(DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape yShape) => Run(() => real.Expand(x, xShape, y, yShape));

    public void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y)
    {
        var l = layout;
        Run(() => real.CopyStrided(x, l, y));
    }

    public void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col)
    {
        var g = geometry;
        Run(() => real.Im2Col(x, g, group, padValue, col));
    }

    public void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x)
    {
        var g = geometry;
        Run(() => real.Col2Im(col, g, group, x));
    }

    public void Conv2d(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, in ConvGeometry geometry, DeviceBuffer y)
    {
        var g = geometry;
        Run(() => real.Conv2d(x, weight, bias, g, y));
    }

    public void Conv2dBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer weight, in ConvGeometry geometry, DeviceBuffer? gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        var g = geometry;
        Run(() => real.Conv2dBackward(gradY, x, weight, g, gradX, gradWeight, gradBias));
    }

    public void Pool2d(PoolKind kind, DeviceBuffer x, in ConvGeometry geometry, DeviceBuffer y, DeviceBuffer? indices)
    {
        var g = geometry;
        Run(() => real.Pool2d(kind, x, g, y, indices));
    }

    public void Pool2dBackward(PoolKind kind, DeviceBuffer gradY, DeviceBuffer? indices, in ConvGeometry geometry, DeviceBuffer gradX)
    {
        var g = geometry;
        Run(() => real.Pool2dBackward(kind, gradY, indices, g, gradX));
    }

    /// <remarks>The stream is read when the kernel runs, so each replay draws a fresh mask.</remarks>
    public void Dropout(DeviceBuffer x, double p, RandomStream stream, DeviceBuffer y, DeviceBuffer mask) => Run(() => real.Dropout(x, p, stream, y, mask));

    public void Linear(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, int rows, int inFeatures, int outFeatures, bool relu, DeviceBuffer y) =>
        Run(() => real.Linear(x, weight, bias, rows, inFeatures, outFeatures, relu, y));

    public void Softmax(DeviceBuffer x, int outer, int axis, int inner, bool log, DeviceBuffer y) => Run(() => real.Softmax(x, outer, axis, inner, log, y));

    public void LayerNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int rows, int cols, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer rstd) =>
        Run(() => real.LayerNorm(x, weight, bias, rows, cols, eps, y, mean, rstd));

    public void BatchNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int outer, int channels, int inner, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer variance) =>
        Run(() => real.BatchNorm(x, weight, bias, outer, channels, inner, eps, y, mean, variance));

    public void BatchNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer variance, int outer, int channels, int inner, double eps, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias) =>
        Run(() => real.BatchNormBackward(gradY, x, weight, mean, variance, outer, channels, inner, eps, gradX, gradWeight, gradBias));

    public void LayerNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer rstd, int rows, int cols, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias) =>
        Run(() => real.LayerNormBackward(gradY, x, weight, mean, rstd, rows, cols, gradX, gradWeight, gradBias));

    public void SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer losses, DeviceBuffer probabilities) =>
        Run(() => real.SoftmaxCrossEntropy(logits, labels, rows, classes, losses, probabilities));

    public void SoftmaxCrossEntropyBackward(DeviceBuffer probabilities, DeviceBuffer labels, DeviceBuffer gradLosses, int rows, int classes, DeviceBuffer gradLogits) =>
        Run(() => real.SoftmaxCrossEntropyBackward(probabilities, labels, gradLosses, rows, classes, gradLogits));

    private void Run(Action kernel)
    {
        kernel();
        capture.Add(kernel);
    }

    // The capture's one refusal message, naming the device.
    private InvalidOperationException Refused(string what, string instead) =>
        KernelCapture.Refused($"on {real.Device}, a step that {what}", instead);

    private InvalidOperationException UploadRefused() =>
        Refused("uploads host data (Tensor.FromArray, a data loader)", "create input tensors before Capture and CopyFrom new values into them before each Replay()");

    private InvalidOperationException DownloadRefused() =>
        Refused("reads values back to the host (Item, ToArray, anomaly checks, forward hooks that read)", "read graph.Output after Replay() instead");

    private InvalidOperationException OptimizerRefused() =>
        Refused("runs an optimizer step, whose learning rate and bias corrections change every step", "call opt.Step() after Replay()");
}
