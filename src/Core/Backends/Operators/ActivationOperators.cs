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

/// <summary>
/// Softplus ln(1 + e^(βx)) / β (PyTorch's), computed stably as (max(βx, 0) + ln(1 + e^-|βx|)) / β,
/// and x itself where βx &gt; threshold; gradient g·sigmoid(βx), or g above the threshold.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="beta">β.</param>
/// <param name="threshold">Above this βx, the function is x.</param>
public readonly struct SoftplusOperator<T>(T beta, T threshold) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T beta = beta;
    private readonly T threshold = threshold;

    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x)
    {
        T bx = beta * x;
        return bx > threshold ? x : (default(ReluOperator<T>).Apply(bx) + T.Log(T.One + T.Exp(-T.Abs(bx)))) / beta;
    }

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x)
    {
        var bx = x * beta;
        var soft = (default(ReluOperator<T>).Apply(bx) + VectorMath.Log(Vector256<T>.One + VectorMath.Exp(-Vector256.Abs(bx)))) / beta;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(bx, Vector256.Create(threshold)), x, soft);
    }

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Create(Apply(x.GetLower()), Apply(x.GetUpper()));

    /// <inheritdoc />
    public T Backward(T saved, T g)
    {
        T bx = beta * saved;
        return bx > threshold ? g : g * default(SigmoidOperator<T>).Apply(bx);
    }

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g)
    {
        var bx = saved * beta;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(bx, Vector256.Create(threshold)), g, g * default(SigmoidOperator<T>).Apply(bx));
    }

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => Vector512.Create(Backward(saved.GetLower(), g.GetLower()), Backward(saved.GetUpper(), g.GetUpper()));
}

/// <summary>ELU: x where x &gt; 0, else α(eˣ - 1) (PyTorch's); gradient g, or g·α·eˣ.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="alpha">α, the value ELU approaches as x → -∞ is -α.</param>
public readonly struct EluOperator<T>(T alpha) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T alpha = alpha;

    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => x > T.Zero ? x : alpha * (T.Exp(x) - T.One);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, (VectorMath.Exp(x) - Vector256<T>.One) * alpha);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, (VectorMath.Exp(x) - Vector512<T>.One) * alpha);

    /// <inheritdoc />
    public T Backward(T saved, T g) => saved > T.Zero ? g : g * alpha * T.Exp(saved);

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(saved, Vector256<T>.Zero), g, g * VectorMath.Exp(saved) * alpha);

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(saved, Vector512<T>.Zero), g, g * VectorMath.Exp(saved) * alpha);
}

/// <summary>SiLU (swish): x·sigmoid(x); gradient g·s·(1 + x·(1 - s)) with s = sigmoid(x).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct SiluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => x * default(SigmoidOperator<T>).Apply(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => x * default(SigmoidOperator<T>).Apply(x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => x * default(SigmoidOperator<T>).Apply(x);

    /// <inheritdoc />
    public T Backward(T saved, T g)
    {
        T s = default(SigmoidOperator<T>).Apply(saved);
        return g * s * (T.One + (saved * (T.One - s)));
    }

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g)
    {
        var s = default(SigmoidOperator<T>).Apply(saved);
        return g * s * (Vector256<T>.One + (saved * (Vector256<T>.One - s)));
    }

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g)
    {
        var s = default(SigmoidOperator<T>).Apply(saved);
        return g * s * (Vector512<T>.One + (saved * (Vector512<T>.One - s)));
    }
}

/// <summary>Exact GELU: x·Φ(x) with Φ the standard normal distribution function; gradient g·(Φ(x) + x·φ(x)).</summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct GeluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NormalCdf<T> normal;

    /// <summary>Sets the constants in <typeparamref name="T"/>.</summary>
    public GeluOperator() => normal = new NormalCdf<T>();

    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x) => x * normal.Cdf(x);

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x) => x * normal.Cdf(x);

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => x * normal.Cdf(x);

    /// <inheritdoc />
    public T Backward(T saved, T g) => g * (normal.Cdf(saved) + (saved * normal.Density(saved)));

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) => g * (normal.Cdf(saved) + (saved * normal.Density(saved)));

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => g * (normal.Cdf(saved) + (saved * normal.Density(saved)));
}

/// <summary>
/// GELU's tanh approximation (PyTorch's approximate='tanh'): ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³),
/// computed as x·s with s = ½(1 + tanh u) = sigmoid(2u) from a = e^(-2|u|), which neither overflows
/// nor cancels in the tails; gradient g·(s + 2x·u′·s(1 - s)) with s(1 - s) = a / (1 + a)².
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct GeluTanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T sqrt2OverPi;
    private readonly T cubic;

    /// <summary>Sets the constants in <typeparamref name="T"/>.</summary>
    public GeluTanhOperator()
    {
        sqrt2OverPi = T.CreateTruncating(Math.Sqrt(2 / Math.PI));
        cubic = T.CreateTruncating(0.044715);
    }

    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x)
    {
        T u = sqrt2OverPi * (x + (cubic * x * x * x));
        T a = T.Exp(-(T.Abs(u) + T.Abs(u)));
        T d = T.One / (T.One + a);
        return x * (u < T.Zero ? a * d : d);
    }

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x)
    {
        var u = (x + (x * x * x * cubic)) * sqrt2OverPi;
        var a = VectorMath.Exp(-(Vector256.Abs(u) + Vector256.Abs(u)));
        var d = Vector256<T>.One / (Vector256<T>.One + a);
        return x * Vector256.ConditionalSelect(Vector256.LessThan(u, Vector256<T>.Zero), a * d, d);
    }

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Create(Apply(x.GetLower()), Apply(x.GetUpper()));

    /// <inheritdoc />
    public T Backward(T saved, T g)
    {
        T x2 = saved * saved;
        T u = sqrt2OverPi * (saved + (cubic * x2 * saved));
        T slope = sqrt2OverPi * (T.One + ((cubic + cubic + cubic) * x2));
        T a = T.Exp(-(T.Abs(u) + T.Abs(u)));
        T d = T.One / (T.One + a);
        T s = u < T.Zero ? a * d : d;
        return g * (s + ((saved + saved) * slope * a * d * d));
    }

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g)
    {
        var x2 = saved * saved;
        var u = (saved + (x2 * saved * cubic)) * sqrt2OverPi;
        var slope = (Vector256<T>.One + (x2 * (cubic + cubic + cubic))) * sqrt2OverPi;
        var a = VectorMath.Exp(-(Vector256.Abs(u) + Vector256.Abs(u)));
        var d = Vector256<T>.One / (Vector256<T>.One + a);
        var s = Vector256.ConditionalSelect(Vector256.LessThan(u, Vector256<T>.Zero), a * d, d);
        return g * (s + ((saved + saved) * slope * a * d * d));
    }

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => Vector512.Create(Backward(saved.GetLower(), g.GetLower()), Backward(saved.GetUpper(), g.GetUpper()));
}
