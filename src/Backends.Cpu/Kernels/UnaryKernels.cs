using System.Numerics;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Elementwise unary, unary-gradient and tensor-scalar kernels: Core's operators in <see cref="VectorLoop"/>, split over cores when large.</summary>
internal static class UnaryKernels
{
    public static void Apply<T>(UnaryFunction f, T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T> => UnaryOps.Run<T, UnaryRunner<T>>(f, new UnaryRunner<T>(x, y));

    public static void Backward<T>(UnaryFunction f, T[] saved, T[] gradOutput, T[] gradInput)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        UnaryOps.RunBackward<T, BinaryKernels.SameShapeRunner<T>>(f, new BinaryKernels.SameShapeRunner<T>(saved, gradOutput, gradInput));

    public static void Scalar<T>(ScalarOp op, T[] x, T s, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryOps.Run<T, ScalarRunner<T>>(op, new ScalarRunner<T>(x, s, y));

    private readonly struct UnaryRunner<T>(T[] x, T[] y) : IUnaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IUnaryOperator<T> =>
            CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (X: x, Y: y, Op: op), static (s, start, end) =>
                VectorLoop.Run<T, UnaryLanes<T, TOp>>(new(s.Op, s.X.AsSpan((int)start, (int)(end - start))), s.Y.AsSpan((int)start, (int)(end - start))));
    }

    private readonly struct ScalarRunner<T>(T[] x, T s, T[] y) : IBinaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IBinaryOperator<T> =>
            CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (X: x, S: s, Y: y, Op: op), static (st, start, end) =>
                VectorLoop.Run<T, ScalarLanes<T, TOp>>(new(st.Op, st.X.AsSpan((int)start, (int)(end - start)), st.S), st.Y.AsSpan((int)start, (int)(end - start))));
    }
}
