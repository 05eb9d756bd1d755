using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>1 / (1 + e⁻ˣ), saturating to 0 and 1 without NaN; gradient g·y·(1 - y).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct SigmoidOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => true;

    /// <inheritdoc />
    public T Apply(T x) => T.One / (T.One + T.Exp(-x));

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => Vector256<T>.One / (Vector256<T>.One + VectorMath.Exp(-x));

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512<T>.One / (Vector512<T>.One + VectorMath.Exp(-x));

    /// <inheritdoc />
    public T Backward(T saved, T g) => g * saved * (T.One - saved);

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g * saved * (Vector256<T>.One - saved);

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g * saved * (Vector512<T>.One - saved);
}

/// <summary>
/// tanh x; gradient g·(1 - y²). The vector form is -z / (z + 2) with z = e^(-2|x|) - 1 and the
/// sign of x, as TensorPrimitives.Tanh computes it.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct TanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => true;

    /// <inheritdoc />
    public T Apply(T x) => T.Tanh(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x)
    {
        var z = VectorMath.Exp(Vector256.Create(-T.CreateTruncating(2)) * Vector256.Abs(x)) - Vector256<T>.One;
        return VectorMath.CopySign(-z / (z + Vector256.Create(T.CreateTruncating(2))), x);
    }

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x)
    {
        var z = VectorMath.Exp(Vector512.Create(-T.CreateTruncating(2)) * Vector512.Abs(x)) - Vector512<T>.One;
        return VectorMath.CopySign(-z / (z + Vector512.Create(T.CreateTruncating(2))), x);
    }

    /// <inheritdoc />
    public T Backward(T saved, T g) => g * (T.One - (saved * saved));

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g * (Vector256<T>.One - (saved * saved));

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g * (Vector512<T>.One - (saved * saved));
}

/// <summary>max(x, 0), NaN staying NaN; gradient g where x &gt; 0, else 0 (also right when given y).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct ReluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => x < T.Zero ? T.Zero : x;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), Vector256<T>.Zero, x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<T>.Zero), Vector512<T>.Zero, x);

    /// <inheritdoc />
    public T Backward(T saved, T g) => saved > T.Zero ? g : T.Zero;

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(saved, Vector256<T>.Zero), g, Vector256<T>.Zero);

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(saved, Vector512<T>.Zero), g, Vector512<T>.Zero);
}

/// <summary>x where x &gt; 0, else slope·x (PyTorch's LeakyReLU); gradient g or slope·g.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="negativeSlope">The slope for x ≤ 0.</param>
public readonly struct LeakyReluOperator<T>(T negativeSlope) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T slope = negativeSlope;

    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => x > T.Zero ? x : x * slope;

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * slope);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * slope);

    /// <inheritdoc />
    public T Backward(T saved, T g) => saved > T.Zero ? g : g * slope;

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => Vector256.ConditionalSelect(Vector256.GreaterThan(saved, Vector256<T>.Zero), g, g * slope);

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => Vector512.ConditionalSelect(Vector512.GreaterThan(saved, Vector512<T>.Zero), g, g * slope);
}

/// <summary>ln(1 + eˣ) as max(x, 0) + ln(1 + e^-|x|), stable for large |x|; gradient g·sigmoid(x).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct SoftplusOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => default(ReluOperator<T>).Apply(x) + T.Log(T.One + T.Exp(-T.Abs(x)));

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) =>
        default(ReluOperator<T>).Apply(x) + VectorMath.Log(Vector256<T>.One + VectorMath.Exp(-Vector256.Abs(x)));

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) =>
        default(ReluOperator<T>).Apply(x) + VectorMath.Log(Vector512<T>.One + VectorMath.Exp(-Vector512.Abs(x)));

    /// <inheritdoc />
    public T Backward(T saved, T g) => g * default(SigmoidOperator<T>).Apply(saved);

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g * default(SigmoidOperator<T>).Apply(saved);

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g * default(SigmoidOperator<T>).Apply(saved);
}
