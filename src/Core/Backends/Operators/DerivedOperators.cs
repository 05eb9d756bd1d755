using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>The gradient of a unary operator as a binary one: (saved, g) ↦ g·f′.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TOp">The unary operator.</typeparam>
/// <param name="op">The unary operator, with its parameters.</param>
public readonly struct UnaryGradient<T, TOp>(TOp op) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IUnaryOperator<T>
{
    private readonly TOp op = op;

    /// <inheritdoc />
    public T Apply(T a, T b) => op.Backward(a, b);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => op.Backward(a, b);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => op.Backward(a, b);
}

/// <summary>A binary operator with its operands swapped: (a, b) ↦ op(b, a).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TOp">The operator.</typeparam>
/// <param name="op">The operator.</param>
public readonly struct Swapped<T, TOp>(TOp op) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IBinaryOperator<T>
{
    private readonly TOp op = op;

    /// <inheritdoc />
    public T Apply(T a, T b) => op.Apply(b, a);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => op.Apply(b, a);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => op.Apply(b, a);
}
