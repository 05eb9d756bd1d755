using System.Numerics;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends;

/// <summary>Elementwise functions of two tensors with NumPy broadcasting: <c>y = f(a, b)</c>.</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,

    /// <summary>a - b</summary>
    Sub,

    /// <summary>a · b</summary>
    Mul,

    /// <summary>a / b</summary>
    Div,
}

/// <summary>Elementwise functions of a tensor and a scalar s: <c>y[i] = f(x[i], s)</c>.</summary>
public enum ScalarOp
{
    /// <summary>x + s</summary>
    Add,

    /// <summary>x · s</summary>
    Mul,

    /// <summary>s - x</summary>
    ReverseSub,

    /// <summary>s / x</summary>
    ReverseDiv,

    /// <summary>xˢ</summary>
    Pow,

    /// <summary>max(x, s)</summary>
    Max,

    /// <summary>min(x, s)</summary>
    Min,
}

/// <summary>The dispatch table of binary and tensor-scalar ops: each op's operator type, handed to a backend's loop.</summary>
public static class BinaryOps
{
    /// <summary>Runs <paramref name="runner"/> with the operator of <paramref name="op"/>: <c>op(a, b)</c>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TRunner">The backend's loop.</typeparam>
    /// <param name="op">The op.</param>
    /// <param name="runner">The loop.</param>
    public static void Run<T, TRunner>(BinaryOp op, TRunner runner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRunner : IBinaryOperatorRunner<T>
    {
        switch (op)
        {
            case BinaryOp.Add: runner.Run(default(AddOperator<T>)); break;
            case BinaryOp.Sub: runner.Run(default(SubOperator<T>)); break;
            case BinaryOp.Mul: runner.Run(default(MulOperator<T>)); break;
            case BinaryOp.Div: runner.Run(default(DivOperator<T>)); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary op.");
        }
    }

    /// <summary>Runs <paramref name="runner"/> with the operator of <paramref name="op"/> as <c>f(x, s)</c>: the loop passes each element first, the scalar second.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TRunner">The backend's loop.</typeparam>
    /// <param name="op">The op.</param>
    /// <param name="runner">The loop.</param>
    public static void Run<T, TRunner>(ScalarOp op, TRunner runner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRunner : IBinaryOperatorRunner<T>
    {
        switch (op)
        {
            case ScalarOp.Add: runner.Run(default(AddOperator<T>)); break;
            case ScalarOp.Mul: runner.Run(default(MulOperator<T>)); break;
            case ScalarOp.ReverseSub: runner.Run(default(Swapped<T, SubOperator<T>>)); break;
            case ScalarOp.ReverseDiv: runner.Run(default(Swapped<T, DivOperator<T>>)); break;
            case ScalarOp.Pow: runner.Run(default(PowOperator<T>)); break;
            case ScalarOp.Max: runner.Run(default(MaxOperator<T>)); break;
            case ScalarOp.Min: runner.Run(default(MinOperator<T>)); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown scalar op.");
        }
    }
}
