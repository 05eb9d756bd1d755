using System.Numerics.Tensors;
using TensorGrad.Backends.Cpu.Gemm;
using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Backends.Cpu;

/// <summary>
/// The CPU backend: pooled managed arrays, TensorPrimitives and hand-written Vector512/Vector256
/// kernels (chosen at run time), split over cores when the work is large. Supports float32 and float64.
/// </summary>
public sealed partial class CpuBackend : BackendBase
{
    private readonly BufferPool<float> floats = new(DType.Float32);
    private readonly BufferPool<double> doubles = new(DType.Float64);

    private CpuBackend()
    {
    }

    /// <summary>The process-wide CPU backend.</summary>
    public static CpuBackend Instance { get; } = new();

    /// <inheritdoc />
    public override Device Device => Device.Cpu;

    /// <summary>Buffers allocated because the pool had none of the size asked for; a steady training step adds none.</summary>
    internal long BufferAllocations => floats.Allocations + doubles.Allocations;

    /// <summary>Bytes of free buffers the backend keeps for reuse (at most 1 GiB per element type); flat in a steady training loop.</summary>
    public long PooledBytes => floats.RetainedBytes + doubles.RetainedBytes;

    /// <inheritdoc />
    public override bool Supports(DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <inheritdoc />
    public override DeviceBuffer Allocate(long length, DType dtype)
    {
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Allocate: {length} elements exceed the CPU backend's limit of {Array.MaxLength} per tensor.");
        }

        return dtype == DType.Float64 ? doubles.Rent((int)length) : floats.Rent((int)length);
    }

    /// <inheritdoc />
    public override void Release(DeviceBuffer buffer)
    {
        switch (buffer)
        {
            case CpuBuffer<float> f: floats.Return(f); break;
            case CpuBuffer<double> d: doubles.Return(d); break;
            default: throw Foreign(buffer);
        }
    }

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, DeviceBuffer destination)
    {
        if (destination is CpuBuffer<float> f)
        {
            source.CopyTo(f.Span);
        }
        else
        {
            TensorPrimitives.ConvertTruncating(source, Doubles(destination));
        }
    }

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<double> source, DeviceBuffer destination)
    {
        if (destination is CpuBuffer<double> d)
        {
            source.CopyTo(d.Span);
        }
        else
        {
            TensorPrimitives.ConvertTruncating(source, Floats(destination));
        }
    }

    /// <inheritdoc />
    public override void Download(DeviceBuffer source, Span<float> destination)
    {
        if (source is CpuBuffer<float> f)
        {
            f.Span.CopyTo(destination);
        }
        else
        {
            TensorPrimitives.ConvertTruncating<double, float>(Doubles(source), destination);
        }
    }

    /// <inheritdoc />
    public override void Download(DeviceBuffer source, Span<double> destination)
    {
        if (source is CpuBuffer<double> d)
        {
            d.Span.CopyTo(destination);
        }
        else
        {
            TensorPrimitives.ConvertTruncating<float, double>(Floats(source), destination);
        }
    }

    /// <inheritdoc />
    public override void Copy(DeviceBuffer source, DeviceBuffer destination)
    {
        if (source is CpuBuffer<float> f)
        {
            Upload(f.Span, destination);
        }
        else
        {
            Upload(Doubles(source), destination);
        }
    }

    /// <inheritdoc />
    public override void Fill(DeviceBuffer destination, double value)
    {
        if (destination.DType == DType.Float32)
        {
            LayoutKernels.Fill(F(destination), (float)value);
        }
        else
        {
            LayoutKernels.Fill(D(destination), value);
        }
    }

    /// <inheritdoc />
    /// <remarks>A single value (the gradient of a full sum) is one fill; other shapes take the default.</remarks>
    public override void Expand(DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape yShape)
    {
        if (xShape.Size != 1)
        {
            base.Expand(x, xShape, y, yShape);
        }
        else
        {
            // A float widened to double and back is the same float.
            Fill(y, x.DType == DType.Float32 ? F(x)[0] : D(x)[0]);
        }
    }

    /// <inheritdoc />
    public override void Unary(UnaryFunction f, DeviceBuffer x, DeviceBuffer y)
    {
        if (x.DType == DType.Float32)
        {
            UnaryKernels.Apply(f, F(x), F(y));
        }
        else
        {
            UnaryKernels.Apply(f, D(x), D(y));
        }
    }

    /// <inheritdoc />
    public override void UnaryBackward(UnaryFunction f, DeviceBuffer saved, DeviceBuffer gradOutput, DeviceBuffer gradInput)
    {
        if (saved.DType == DType.Float32)
        {
            UnaryKernels.Backward(f, F(saved), F(gradOutput), F(gradInput));
        }
        else
        {
            UnaryKernels.Backward(f, D(saved), D(gradOutput), D(gradInput));
        }
    }

    /// <inheritdoc />
    public override void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y)
    {
        if (x.DType == DType.Float32)
        {
            UnaryKernels.Scalar(op, F(x), (float)scalar, F(y));
        }
        else
        {
            UnaryKernels.Scalar(op, D(x), scalar, D(y));
        }
    }

    /// <inheritdoc />
    public override void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape)
    {
        if (a.DType == DType.Float32)
        {
            BinaryKernels.Apply(op, F(a), aShape, F(b), bShape, F(y), yShape);
        }
        else
        {
            BinaryKernels.Apply(op, D(a), aShape, D(b), bShape, D(y), yShape);
        }
    }

    /// <inheritdoc />
    /// <remarks>The bias is added in the GEMM's epilogue, and ReLU with it, while each tile of y is in L1.</remarks>
    public override void Linear(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, int rows, int inFeatures, int outFeatures, bool relu, DeviceBuffer y)
    {
        if (x.DType == DType.Float32)
        {
            CpuGemm.Gemm(false, true, rows, outFeatures, inFeatures, 1f, F(x), F(weight), 0f, F(y), FOrNull(bias), relu);
        }
        else
        {
            CpuGemm.Gemm(false, true, rows, outFeatures, inFeatures, 1.0, D(x), D(weight), 0.0, D(y), DOrNull(bias), relu);
        }
    }

    /// <inheritdoc />
    public override void Reduce(ReduceOp op, DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer y)
    {
        if (x.DType == DType.Float32)
        {
            ReduceKernels.Reduce(op, F(x), outer, axis, inner, F(y));
        }
        else
        {
            ReduceKernels.Reduce(op, D(x), outer, axis, inner, D(y));
        }
    }

    /// <inheritdoc />
    public override void ArgMax(DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer indices)
    {
        if (x.DType == DType.Float32)
        {
            ReduceKernels.ArgMax(F(x), outer, axis, inner, F(indices));
        }
        else
        {
            ReduceKernels.ArgMax(D(x), outer, axis, inner, D(indices));
        }
    }

    /// <inheritdoc />
    public override void ScatterAlongAxis(DeviceBuffer source, DeviceBuffer indices, int outer, int axis, int inner, DeviceBuffer y)
    {
        if (source.DType == DType.Float32)
        {
            ReduceKernels.Scatter(F(source), F(indices), outer, axis, inner, F(y));
        }
        else
        {
            ReduceKernels.Scatter(D(source), D(indices), outer, axis, inner, D(y));
        }
    }

    /// <inheritdoc />
    public override void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, DeviceBuffer a, DeviceBuffer b, double beta, DeviceBuffer c)
    {
        if (a.DType == DType.Float32)
        {
            CpuGemm.Gemm(transA, transB, m, n, k, (float)alpha, F(a), F(b), (float)beta, F(c));
        }
        else
        {
            CpuGemm.Gemm(transA, transB, m, n, k, alpha, D(a), D(b), beta, D(c));
        }
    }

    /// <inheritdoc />
    public override void Dropout(DeviceBuffer x, double p, RandomStream stream, DeviceBuffer y, DeviceBuffer mask)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ulong offset = stream.Take(mask.Length);
        if (mask.DType == DType.Float32)
        {
            RandomKernels.Dropout(F(x), F(y), F(mask), p, stream.Seed, offset);
        }
        else
        {
            RandomKernels.Dropout(D(x), D(y), D(mask), p, stream.Seed, offset);
        }
    }

    /// <inheritdoc />
    public override void Transpose2D(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        if (x.DType == DType.Float32)
        {
            LayoutKernels.Transpose(F(x), rows, cols, F(y));
        }
        else
        {
            LayoutKernels.Transpose(D(x), rows, cols, D(y));
        }
    }

    /// <inheritdoc />
    public override void Softmax(DeviceBuffer x, int outer, int axis, int inner, bool log, DeviceBuffer y)
    {
        if (inner != 1)
        {
            base.Softmax(x, outer, axis, inner, log, y);
        }
        else if (x.DType == DType.Float32)
        {
            SoftmaxKernels.Rows(F(x), outer, axis, log, F(y));
        }
        else
        {
            SoftmaxKernels.Rows(D(x), outer, axis, log, D(y));
        }
    }

    /// <inheritdoc />
    public override void SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes, DeviceBuffer losses, DeviceBuffer probabilities)
    {
        if (logits.DType == DType.Float32)
        {
            SoftmaxKernels.CrossEntropy(F(logits), F(labels), rows, classes, F(losses), F(probabilities));
        }
        else
        {
            SoftmaxKernels.CrossEntropy(D(logits), D(labels), rows, classes, D(losses), D(probabilities));
        }
    }

    /// <inheritdoc />
    public override void SoftmaxCrossEntropyBackward(DeviceBuffer probabilities, DeviceBuffer labels, DeviceBuffer gradLosses, int rows, int classes, DeviceBuffer gradLogits)
    {
        if (probabilities.DType == DType.Float32)
        {
            SoftmaxKernels.CrossEntropyBackward(F(probabilities), F(labels), F(gradLosses), rows, classes, F(gradLogits));
        }
        else
        {
            SoftmaxKernels.CrossEntropyBackward(D(probabilities), D(labels), D(gradLosses), rows, classes, D(gradLogits));
        }
    }

    private static float[] F(DeviceBuffer buffer) => (buffer as CpuBuffer<float> ?? throw Foreign(buffer)).Array;

    private static double[] D(DeviceBuffer buffer) => (buffer as CpuBuffer<double> ?? throw Foreign(buffer)).Array;

    private static float[]? FOrNull(DeviceBuffer? buffer) => buffer is null ? null : F(buffer);

    private static double[]? DOrNull(DeviceBuffer? buffer) => buffer is null ? null : D(buffer);

    private static T[] Elements<T>(DeviceBuffer buffer)
        where T : unmanaged => (buffer as CpuBuffer<T> ?? throw Foreign(buffer)).Array;

    private static Span<float> Floats(DeviceBuffer buffer) => F(buffer);

    private static Span<double> Doubles(DeviceBuffer buffer) => D(buffer);

    private static ArgumentException Foreign(DeviceBuffer buffer) =>
        new($"The CPU backend was given a {buffer.GetType().Name} ({buffer.DType}, {buffer.Length} elements) that it did not allocate; move tensors to the CPU with To(Device.Cpu).");
}
