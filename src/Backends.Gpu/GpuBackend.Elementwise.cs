using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Elementwise ops: unary, tensor-scalar, binary with broadcasting, expand, bias add.</summary>
public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override void Unary(UnaryOp op, DeviceBuffer x, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Unary(op, F(x), F(y));
        }
        else
        {
            Unary(op, D(x), D(y));
        }
    }

    /// <inheritdoc />
    public override void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Scalar(op, F(x), (float)scalar, F(y));
        }
        else
        {
            Scalar(op, D(x), scalar, D(y));
        }
    }

    /// <inheritdoc />
    public override void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape)
    {
        Bind();
        if (a.DType == DType.Float32)
        {
            Binary(op, F(a), aShape, F(b), bShape, F(y), yShape);
        }
        else
        {
            Binary(op, D(a), aShape, D(b), bShape, D(y), yShape);
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

    private void Unary<T>(UnaryOp op, GpuBuffer<T> x, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: Unary<T, NegOperator<T>>(x, y); break;
            case UnaryOp.Square: Unary<T, SquareOperator<T>>(x, y); break;
            case UnaryOp.Sqrt: Unary<T, SqrtOperator<T>>(x, y); break;
            case UnaryOp.Exp: Unary<T, ExpOperator<T>>(x, y); break;
            case UnaryOp.Log: Unary<T, LogOperator<T>>(x, y); break;
            case UnaryOp.Sigmoid: Unary<T, SigmoidOperator<T>>(x, y); break;
            case UnaryOp.Tanh: Unary<T, TanhOperator<T>>(x, y); break;
            case UnaryOp.Relu: Unary<T, ReluOperator<T>>(x, y); break;
            case UnaryOp.Softplus: Unary<T, SoftplusOperator<T>>(x, y); break;
            default: throw new NotSupportedException($"Unary op {op} is not implemented on {Device}.");
        }
    }

    private void Unary<T, TOp>(GpuBuffer<T> x, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOperator<T>
    {
        if (y.Length > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Unary<T, TOp>)(Elementwise(y.Length), x.View, y.View);
        }
    }

    private void Scalar<T>(ScalarOp op, GpuBuffer<T> x, T s, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case ScalarOp.Add: Scalar<T, AddOperator<T>>(x, s, y); break;
            case ScalarOp.Mul: Scalar<T, MulOperator<T>>(x, s, y); break;
            case ScalarOp.ReverseSub: Scalar<T, ReverseSubOperator<T>>(x, s, y); break;
            case ScalarOp.ReverseDiv: Scalar<T, ReverseDivOperator<T>>(x, s, y); break;
            case ScalarOp.Pow: Scalar<T, PowOperator<T>>(x, s, y); break;
            case ScalarOp.Max: Scalar<T, MaxOperator<T>>(x, s, y); break;
            case ScalarOp.Min: Scalar<T, MinOperator<T>>(x, s, y); break;
            default: throw new NotSupportedException($"Scalar op {op} is not implemented on {Device}.");
        }
    }

    private void Scalar<T, TOp>(GpuBuffer<T> x, T s, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        if (y.Length > 0)
        {
            kernels.Get<ArrayView<T>, T, ArrayView<T>>(ElementwiseKernels.Scalar<T, TOp>)(Elementwise(y.Length), x.View, s, y.View);
        }
    }

    private void Binary<T>(BinaryOp op, GpuBuffer<T> a, Shape aShape, GpuBuffer<T> b, Shape bShape, GpuBuffer<T> y, Shape yShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Binary<T, AddOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            case BinaryOp.Sub: Binary<T, SubOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            case BinaryOp.Mul: Binary<T, MulOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            case BinaryOp.Div: Binary<T, DivOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            case BinaryOp.ReluBackward: Binary<T, ReluBackwardOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            case BinaryOp.SigmoidBackward: Binary<T, SigmoidBackwardOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            case BinaryOp.TanhBackward: Binary<T, TanhBackwardOperator<T>>(a, aShape, b, bShape, y, yShape); break;
            default: throw new NotSupportedException($"Binary op {op} is not implemented on {Device}.");
        }
    }

    private void Binary<T, TOp>(GpuBuffer<T> a, Shape aShape, GpuBuffer<T> b, Shape bShape, GpuBuffer<T> y, Shape yShape)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        if (y.Length == 0)
        {
            return;
        }

        if (a.Length == y.Length && b.Length == y.Length)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Binary<T, TOp>)(Elementwise(y.Length), a.View, b.View, y.View);
            return;
        }

        var layout = Layout(aShape, bShape, yShape, "Binary");
        kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, BroadcastLayout>(ElementwiseKernels.BroadcastBinary<T, TOp>)(Elementwise(y.Length), a.View, b.View, y.View, layout);
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

    private BroadcastLayout Layout(Shape aShape, Shape bShape, Shape yShape, string op) =>
        BroadcastLayout.TryCreate(aShape, bShape, yShape)
        ?? throw new NotSupportedException($"{op}: broadcasting {aShape} and {bShape} to {yShape} needs more than {BroadcastLayout.MaxRank} dimensions after merging, which {Device} does not support; reshape the operands first.");
}
