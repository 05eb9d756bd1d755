using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>
/// The standard normal distribution function Φ(x) = ½(1 + erf(x/√2)) and density φ(x), for exact
/// GELU. erf(z) is its Taylor series (30 terms) for |z| &lt; 2 and erfc(z) a continued fraction
/// (depth 60) beyond, so both float and double are accurate to a few ulp; the vector forms compute
/// both and select. The constants are fields set on the host, because ILGPU kernels cannot convert
/// a double to a generic T.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public readonly struct NormalCdf<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int TaylorTerms = 30;
    private const int FractionDepth = 60;

    private readonly T inverseSqrt2;
    private readonly T twoOverSqrtPi;
    private readonly T inverseSqrtPi;
    private readonly T inverseSqrt2Pi;
    private readonly T lastNumerator;

    /// <summary>Sets the constants in <typeparamref name="T"/>.</summary>
    public NormalCdf()
    {
        inverseSqrt2 = T.CreateTruncating(1 / Math.Sqrt(2));
        twoOverSqrtPi = T.CreateTruncating(2 / Math.Sqrt(Math.PI));
        inverseSqrtPi = T.CreateTruncating(1 / Math.Sqrt(Math.PI));
        inverseSqrt2Pi = T.CreateTruncating(1 / Math.Sqrt(2 * Math.PI));
        lastNumerator = T.CreateTruncating(FractionDepth / 2.0);
    }

    /// <summary>Φ(x).</summary>
    public T Cdf(T x)
    {
        T half = T.One / (T.One + T.One);
        T z = T.Abs(x) * inverseSqrt2;
        if (z < T.One + T.One)
        {
            T erf = Erf(z);
            return half * (x < T.Zero ? T.One - erf : T.One + erf);
        }

        T erfc = Erfc(z);
        return x < T.Zero ? half * erfc : T.One - (half * erfc);
    }

    /// <summary>φ(x) = e^(-x²/2) / √(2π).</summary>
    public T Density(T x) => T.Exp(-(x * x) / (T.One + T.One)) * inverseSqrt2Pi;

    /// <inheritdoc cref="Cdf(T)"/>
    public Vector256<T> Cdf(Vector256<T> x)
    {
        var half = Vector256.Create(T.CreateTruncating(0.5));
        var z = Vector256.Abs(x) * inverseSqrt2;
        var small = Vector256.LessThan(z, Vector256.Create(T.CreateTruncating(2)));
        var erf = Vector256<T>.Zero;
        var term = z;
        for (int n = 0; n < TaylorTerms; n++)
        {
            erf += term / Vector256.Create(T.CreateTruncating((2 * n) + 1));
            term *= -(z * z) / Vector256.Create(T.CreateTruncating(n + 1));
        }

        erf *= twoOverSqrtPi;
        var fraction = z;
        for (int k = FractionDepth; k > 0; k--)
        {
            fraction = z + (Vector256.Create(T.CreateTruncating(k / 2.0)) / fraction);
        }

        var erfc = VectorMath.Exp(-(z * z)) * inverseSqrtPi / fraction;
        var negative = Vector256.LessThan(x, Vector256<T>.Zero);
        var fromErf = half * Vector256.ConditionalSelect(negative, Vector256<T>.One - erf, Vector256<T>.One + erf);
        var fromErfc = Vector256.ConditionalSelect(negative, half * erfc, Vector256<T>.One - (half * erfc));
        return Vector256.ConditionalSelect(small, fromErf, fromErfc);
    }

    /// <inheritdoc cref="Density(T)"/>
    public Vector256<T> Density(Vector256<T> x) => VectorMath.Exp(-(x * x) * Vector256.Create(T.CreateTruncating(0.5))) * inverseSqrt2Pi;

    /// <inheritdoc cref="Cdf(T)"/>
    public Vector512<T> Cdf(Vector512<T> x) => Vector512.Create(Cdf(x.GetLower()), Cdf(x.GetUpper()));

    /// <inheritdoc cref="Density(T)"/>
    public Vector512<T> Density(Vector512<T> x) => Vector512.Create(Density(x.GetLower()), Density(x.GetUpper()));

    private T Erf(T z)
    {
        T sum = T.Zero, term = z, n = T.Zero;
        for (int i = 0; i < TaylorTerms; i++)
        {
            sum += term / (n + n + T.One);
            n += T.One;
            term *= -(z * z) / n;
        }

        return sum * twoOverSqrtPi;
    }

    private T Erfc(T z)
    {
        T half = T.One / (T.One + T.One);
        T fraction = z, numerator = lastNumerator;
        for (int k = FractionDepth; k > 0; k--)
        {
            fraction = z + (numerator / fraction);
            numerator -= half;
        }

        return T.Exp(-(z * z)) * inverseSqrtPi / fraction;
    }
}
