using System.Globalization;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Softmax and the fused softmax cross-entropy.</summary>
public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override void Softmax(DeviceBuffer x, int outer, int axis, int inner, bool log, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Softmax(F(x), outer * inner, axis, inner, log, F(y));
        }
        else
        {
            Softmax(D(x), outer * inner, axis, inner, log, D(y));
        }
    }

    /// <inheritdoc />
    /// <remarks>Waits for the kernel to learn whether every label was valid.</remarks>
    public override void SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer losses, DeviceBuffer probabilities)
    {
        Bind();
        if (logits.DType == DType.Float32)
        {
            CrossEntropy(F(logits), F(labels), rows, classes, F(losses), F(probabilities));
        }
        else
        {
            CrossEntropy(D(logits), D(labels), rows, classes, D(losses), D(probabilities));
        }
    }

    /// <inheritdoc />
    public override void SoftmaxCrossEntropyBackward(DeviceBuffer probabilities, DeviceBuffer labels, DeviceBuffer gradLosses, int rows, int classes, DeviceBuffer gradLogits)
    {
        Bind();
        if (probabilities.DType == DType.Float32)
        {
            CrossEntropyBackward(F(probabilities), F(labels), F(gradLosses), rows, classes, F(gradLogits));
        }
        else
        {
            CrossEntropyBackward(D(probabilities), D(labels), D(gradLosses), rows, classes, D(gradLogits));
        }
    }

    private void Softmax<T>(GpuBuffer<T> x, int rows, int axis, int inner, bool log, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, int, int, int, int>(SoftmaxKernels.Softmax)(Elementwise(rows), x.View, y.View, rows, axis, inner, log ? 1 : 0);
        }
    }

    private void CrossEntropy<T>(GpuBuffer<T> logits, GpuBuffer<T> labels, int rows, int classes, GpuBuffer<T> losses, GpuBuffer<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == 0)
        {
            return;
        }

        invalidLabel.View.MemSetToZero(Stream);
        kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, int>(SoftmaxKernels.CrossEntropy)(
            Elementwise(rows), logits.View, labels.View, losses.View, probabilities.View, invalidLabel.View, classes);
        if (staging.First<int>(invalidLabel.View, Stream) != 0)
        {
            throw InvalidLabel(labels, rows, classes);
        }
    }

    private void CrossEntropyBackward<T>(GpuBuffer<T> probabilities, GpuBuffer<T> labels, GpuBuffer<T> gradLosses, int rows, int classes, GpuBuffer<T> gradLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradLogits.Length > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(SoftmaxKernels.CrossEntropyBackward)(
                Elementwise(rows), probabilities.View, labels.View, gradLosses.View, gradLogits.View, classes);
        }
    }

    /// <summary>The error for the first row whose class id is not an integer in [0, classes), found on the host.</summary>
    private ArgumentException InvalidLabel<T>(GpuBuffer<T> labels, int rows, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var host = new T[rows];
        labels.View.CopyToCPU(Stream, host);
        Stream.Synchronize();
        int row = Array.FindIndex(host, l => !(l >= T.Zero && l < T.CreateTruncating(classes) && l == T.Truncate(l)));
        string label = row >= 0 ? host[row].ToString(null, CultureInfo.InvariantCulture) : "?";
        return new ArgumentException($"CrossEntropy: class id {label} in row {row} is not an integer in [0, {classes}) (logits [{rows}, {classes}] on {Device}).");
    }
}
