using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Gpu;

/// <summary>Elementwise ops: unary, tensor-scalar, binary with broadcasting, expand, bias add.</summary>
public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override void Unary(UnaryFunction f, DeviceBuffer x, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            UnaryOps.Run<float, UnaryRunner<float>>(f, new(this, F(x), F(y)));
        }
        else
        {
            UnaryOps.Run<double, UnaryRunner<double>>(f, new(this, D(x), D(y)));
        }
    }

    /// <inheritdoc />
    public override void UnaryBackward(UnaryFunction f, DeviceBuffer saved, DeviceBuffer gradOutput, DeviceBuffer gradInput)
    {
        Bind();
        if (saved.DType == DType.Float32)
        {
            UnaryOps.RunBackward<float, BinaryRunner<float>>(f, new(this, F(saved), null, F(gradOutput), null, F(gradInput), null));
        }
        else
        {
            UnaryOps.RunBackward<double, BinaryRunner<double>>(f, new(this, D(saved), null, D(gradOutput), null, D(gradInput), null));
        }
    }

    /// <inheritdoc />
    public override void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            BinaryOps.Run<float, ScalarRunner<float>>(op, new(this, F(x), (float)scalar, F(y)));
        }
        else
        {
            BinaryOps.Run<double, ScalarRunner<double>>(op, new(this, D(x), scalar, D(y)));
        }
    }

    /// <inheritdoc />
    public override void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape)
    {
        Bind();
        if (a.DType == DType.Float32)
        {
            BinaryOps.Run<float, BinaryRunner<float>>(op, new(this, F(a), aShape, F(b), bShape, F(y), yShape));
        }
        else
        {
            BinaryOps.Run<double, BinaryRunner<double>>(op, new(this, D(a), aShape, D(b), bShape, D(y), yShape));
        }
    }

    /// <inheritdoc />
    public override void Dropout(DeviceBuffer x, double p, RandomStream stream, DeviceBuffer y, DeviceBuffer mask)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Bind();
        var draw = new PhiloxDraw(stream.Seed, stream.Take(mask.Length) / 4, Philox.KeepThreshold(p));
        double scale = p < 1 ? 1 / (1 - p) : 0;
        if (mask.Length == 0)
        {
            return;
        }

        if (mask.DType == DType.Float32)
        {
            kernels.Get<ArrayView<float>, ArrayView<float>, ArrayView<float>, PhiloxDraw, float>(ElementwiseKernels.Dropout)(Elementwise(mask.Length), F(x).View, F(y).View, F(mask).View, draw, (float)scale);
        }
        else
        {
            kernels.Get<ArrayView<double>, ArrayView<double>, ArrayView<double>, PhiloxDraw, double>(ElementwiseKernels.Dropout)(Elementwise(mask.Length), D(x).View, D(y).View, D(mask).View, draw, scale);
        }
    }

    /// <inheritdoc />
    public override void Expand(DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape yShape)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Expand(F(x), xShape, F(y), yShape);
        }
        else
        {
            Expand(D(x), xShape, D(y), yShape);
        }
    }

    /// <inheritdoc />
    /// <remarks>The GEMM, then one kernel for the bias and ReLU together.</remarks>
    public override void Linear(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, int rows, int inFeatures, int outFeatures, bool relu, DeviceBuffer y)
    {
        if (bias is null || !relu)
        {
            base.Linear(x, weight, bias, rows, inFeatures, outFeatures, relu, y);
            return;
        }

        Gemm(false, true, rows, outFeatures, inFeatures, 1.0, x, weight, 0.0, y);
        Bind();
        if (x.DType == DType.Float32)
        {
            BiasAdd(F(y), F(bias), outFeatures, relu: true, F(y));
        }
        else
        {
            BiasAdd(D(y), D(bias), outFeatures, relu: true, D(y));
        }
    }

    /// <inheritdoc />
    protected override void BiasAdd(DeviceBuffer x, DeviceBuffer bias, int rows, int cols, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            BiasAdd(F(x), F(bias), cols, relu: false, F(y));
        }
        else
        {
            BiasAdd(D(x), D(bias), cols, relu: false, D(y));
        }
    }

    private void Expand<T>(GpuBuffer<T> x, Shape xShape, GpuBuffer<T> y, Shape yShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length > 0)
        {
            var layout = Layout(xShape, xShape, yShape, "Expand");
            kernels.Get<ArrayView<T>, ArrayView<T>, BroadcastLayout>(ElementwiseKernels.Expand)(Elementwise(y.Length), x.View, y.View, layout);
        }
    }

    private void BiasAdd<T>(GpuBuffer<T> x, GpuBuffer<T> bias, int cols, bool relu, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length > 0)
        {
            var kernel = kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(relu ? ElementwiseKernels.BiasAddRelu : ElementwiseKernels.BiasAdd);
            kernel(Elementwise(y.Length), x.View, bias.View, y.View, cols);
        }
    }

    /// <summary>Launches the unary kernel with an operator from <see cref="UnaryOps"/>.</summary>
    private readonly struct UnaryRunner<T>(GpuBackend gpu, GpuBuffer<T> x, GpuBuffer<T> y) : IUnaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IUnaryOperator<T>
        {
            if (y.Length > 0)
            {
                gpu.kernels.Get<ArrayView<T>, ArrayView<T>, TOp>(ElementwiseKernels.Unary<T, TOp>)(gpu.Elementwise(y.Length), x.View, y.View, op);
            }
        }
    }

    /// <summary>Launches the tensor-scalar kernel with an operator from <see cref="BinaryOps"/>.</summary>
    private readonly struct ScalarRunner<T>(GpuBackend gpu, GpuBuffer<T> x, T s, GpuBuffer<T> y) : IBinaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IBinaryOperator<T>
        {
            if (y.Length > 0)
            {
                gpu.kernels.Get<ArrayView<T>, T, ArrayView<T>, TOp>(ElementwiseKernels.Scalar<T, TOp>)(gpu.Elementwise(y.Length), x.View, s, y.View, op);
            }
        }
    }

    /// <summary>
    /// Launches the binary kernel (equal lengths) or the broadcasting one with an operator from
    /// <see cref="BinaryOps"/> or <see cref="UnaryOps.RunBackward{T, TRunner}"/>; the shapes are
    /// read only to broadcast, so callers with equal lengths pass none (and allocate none).
    /// </summary>
    private readonly struct BinaryRunner<T>(GpuBackend gpu, GpuBuffer<T> a, Shape? aShape, GpuBuffer<T> b, Shape? bShape, GpuBuffer<T> y, Shape? yShape) : IBinaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IBinaryOperator<T>
        {
            if (y.Length == 0)
            {
                return;
            }

            if (a.Length == y.Length && b.Length == y.Length)
            {
                gpu.kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, TOp>(ElementwiseKernels.Binary<T, TOp>)(gpu.Elementwise(y.Length), a.View, b.View, y.View, op);
                return;
            }

            var layout = gpu.Layout(aShape!.Value, bShape!.Value, yShape!.Value, "Binary");
            gpu.kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, BroadcastLayout, TOp>(ElementwiseKernels.BroadcastBinary<T, TOp>)(gpu.Elementwise(y.Length), a.View, b.View, y.View, layout, op);
        }
    }

    private BroadcastLayout Layout(Shape aShape, Shape bShape, Shape yShape, string op) =>
        BroadcastLayout.TryCreate(aShape, bShape, yShape)
        ?? throw new NotSupportedException($"{op}: broadcasting {aShape} and {bShape} to {yShape} needs more than {BroadcastLayout.MaxRank} dimensions after merging, which {Device} does not support; reshape the operands first.");
}
