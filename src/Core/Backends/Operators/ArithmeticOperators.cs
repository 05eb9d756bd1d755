using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>a + b.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct AddOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => a + b;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a + b;

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a + b;
}

/// <summary>a - b.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct SubOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => a - b;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a - b;

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a - b;
}

/// <summary>a · b.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct MulOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => a * b;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a * b;

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a * b;
}

/// <summary>a / b.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct DivOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => a / b;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a / b;

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a / b;
}

/// <summary>max(a, b), NaN if either is NaN (as Math.Max; a device's fmax would drop the NaN).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct MaxOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : (a > b ? a : b);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
}

/// <summary>min(a, b), NaN if either is NaN.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct MinOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : (a < b ? a : b);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
}

/// <summary>a to the power b (lane by lane on the CPU: no vector form keeps pow's rules for negative bases).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct PowOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T a, T b) => T.Pow(a, b);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => VectorMath.Lanewise<T, PowOperator<T>>(this, a, b);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => VectorMath.Lanewise<T, PowOperator<T>>(this, a, b);
}

/// <summary>-x; gradient -g.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct NegOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => -x;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => -x;

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => -x;

    /// <inheritdoc />
    public T Backward(T saved, T g) => -g;

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => -g;

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => -g;
}

/// <summary>x²; gradient 2x·g.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct SquareOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => x * x;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => x * x;

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => x * x;

    /// <inheritdoc />
    public T Backward(T saved, T g) => (saved + saved) * g;

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => (saved + saved) * g;

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => (saved + saved) * g;
}

/// <summary>√x; gradient g / (2y).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct SqrtOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => true;

    /// <inheritdoc />
    public T Apply(T x) => T.Sqrt(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => Vector256.Sqrt(x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Sqrt(x);

    /// <inheritdoc />
    public T Backward(T saved, T g) => g / (saved + saved);

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g / (saved + saved);

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g / (saved + saved);
}

/// <summary>eˣ; gradient g·y.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct ExpOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => true;

    /// <inheritdoc />
    public T Apply(T x) => T.Exp(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => VectorMath.Exp(x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => VectorMath.Exp(x);

    /// <inheritdoc />
    public T Backward(T saved, T g) => g * saved;

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g * saved;

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g * saved;
}

/// <summary>ln x; gradient g / x.</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct LogOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => T.Log(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => VectorMath.Log(x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => VectorMath.Log(x);

    /// <inheritdoc />
    public T Backward(T saved, T g) => g / saved;

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g / saved;

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g / saved;
}

/// <summary>|x|; gradient g·sign(x), 0 at 0 (as PyTorch).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct AbsOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => T.Abs(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => Vector256.Abs(x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Abs(x);

    /// <inheritdoc />
    public T Backward(T saved, T g) => saved > T.Zero ? g : (saved < T.Zero ? -g : T.Zero);

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(saved, Vector256<T>.Zero), g, Vector256.ConditionalSelect(Vector256.LessThan(saved, Vector256<T>.Zero), -g, Vector256<T>.Zero));

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(saved, Vector512<T>.Zero), g, Vector512.ConditionalSelect(Vector512.LessThan(saved, Vector512<T>.Zero), -g, Vector512<T>.Zero));
}
