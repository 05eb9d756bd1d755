using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>
/// An elementwise function of one value with its derivative, written once for every backend: the
/// scalar forms run in ILGPU kernels, the Vector256/Vector512 forms in the CPU loops. Parameters
/// (a slope, an alpha) are fields of the operator.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether <see cref="Backward(T, T)"/> reads the op's output y = f(x) (true) or its input x (false).</summary>
    static abstract bool GradientFromOutput { get; }

    /// <summary>f(x).</summary>
    T Apply(T x);

    /// <inheritdoc cref="Apply(T)"/>
    Vector256<T> Apply(Vector256<T> x);

    /// <inheritdoc cref="Apply(T)"/>
    Vector512<T> Apply(Vector512<T> x);

    /// <summary>The input's gradient g·f′(x), from <paramref name="saved"/> (x or y as <see cref="GradientFromOutput"/> says).</summary>
    T Backward(T saved, T g);

    /// <inheritdoc cref="Backward(T, T)"/>
    Vector256<T> Backward(Vector256<T> saved, Vector256<T> g);

    /// <inheritdoc cref="Backward(T, T)"/>
    Vector512<T> Backward(Vector512<T> saved, Vector512<T> g);
}

/// <summary>An elementwise function of two values, in the scalar form (ILGPU) and the vector forms (CPU).</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>f(a, b).</summary>
    T Apply(T a, T b);

    /// <inheritdoc cref="Apply(T, T)"/>
    Vector256<T> Apply(Vector256<T> a, Vector256<T> b);

    /// <inheritdoc cref="Apply(T, T)"/>
    Vector512<T> Apply(Vector512<T> a, Vector512<T> b);
}

/// <summary>A backend's loop over unary operators: <see cref="UnaryOps"/> calls it with the operator of an op.</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IUnaryOperatorRunner<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Runs the loop with <paramref name="op"/>.</summary>
    void Run<TOp>(TOp op)
        where TOp : struct, IUnaryOperator<T>;
}

/// <summary>A backend's loop over binary operators: <see cref="BinaryOps"/> and <see cref="UnaryOps.RunBackward{T, TRunner}"/> call it.</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IBinaryOperatorRunner<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Runs the loop with <paramref name="op"/>.</summary>
    void Run<TOp>(TOp op)
        where TOp : struct, IBinaryOperator<T>;
}
