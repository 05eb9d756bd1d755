using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Elementwise unary and tensor-scalar kernels on TensorPrimitives (vectorized), split over cores when large.</summary>
internal static class UnaryKernels
{
    public static void Apply<T>(UnaryOp op, T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (X: x, Y: y, Op: op), static (s, start, end) =>
            Run(s.Op, s.X.AsSpan((int)start, (int)(end - start)), s.Y.AsSpan((int)start, (int)(end - start))));
    }

    public static void Scalar<T>(ScalarOp op, T[] x, T s, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case ScalarOp.Add: BinaryKernels.WithScalar<T, AddOperator<T>>(x, s, y, scalarFirst: false); break;
            case ScalarOp.Mul: BinaryKernels.WithScalar<T, MulOperator<T>>(x, s, y, scalarFirst: false); break;
            case ScalarOp.ReverseSub: BinaryKernels.WithScalar<T, SubOperator<T>>(x, s, y, scalarFirst: true); break;
            case ScalarOp.ReverseDiv: BinaryKernels.WithScalar<T, DivOperator<T>>(x, s, y, scalarFirst: true); break;
            case ScalarOp.Max: BinaryKernels.WithScalar<T, MaxOperator<T>>(x, s, y, scalarFirst: false); break;
            case ScalarOp.Min: BinaryKernels.WithScalar<T, MinOperator<T>>(x, s, y, scalarFirst: false); break;
            case ScalarOp.Pow:
                CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (X: x, S: s, Y: y), static (st, start, end) =>
                    TensorPrimitives.Pow(st.X.AsSpan((int)start, (int)(end - start)), st.S, st.Y.AsSpan((int)start, (int)(end - start))));
                break;
            default: throw new NotSupportedException($"Scalar op {op} is not implemented on the CPU backend.");
        }
    }

    private static void Run<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            case UnaryOp.Softplus: Softplus(x, y); break;
            default: throw new NotSupportedException($"Unary op {op} is not implemented on the CPU backend.");
        }
    }

    /// <summary>softplus(x) = max(x, 0) + ln(1 + e^-|x|), in vectorized passes over stack-sized chunks.</summary>
    private static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> positive = stackalloc T[256];
        for (int start = 0; start < x.Length; start += positive.Length)
        {
            int n = Math.Min(positive.Length, x.Length - start);
            var xs = x.Slice(start, n);
            var ys = y.Slice(start, n);
            var pos = positive[..n];
            TensorPrimitives.Max(xs, T.Zero, pos);
            TensorPrimitives.Abs(xs, ys);
            TensorPrimitives.Negate(ys, ys);
            TensorPrimitives.Exp(ys, ys);
            TensorPrimitives.Add(ys, T.One, ys);
            TensorPrimitives.Log(ys, ys);
            TensorPrimitives.Add(ys, pos, ys);
        }
    }
}
