using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>
/// Vector functions over a generic element type that .NET provides only for float and double; the
/// type tests fold away when the JIT specializes. CPU-only: ILGPU kernels call the scalar forms.
/// </summary>
public static class VectorMath
{
    /// <summary>eˣ in each lane.</summary>
    public static Vector256<T> Exp<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Exp(x.AsSingle()).As<float, T>() : Vector256.Exp(x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="Exp{T}(Vector256{T})"/>
    public static Vector512<T> Exp<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Exp(x.AsSingle()).As<float, T>() : Vector512.Exp(x.AsDouble()).As<double, T>();

    /// <summary>ln x in each lane.</summary>
    public static Vector256<T> Log<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector256.Log(x.AsSingle()).As<float, T>() : Vector256.Log(x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="Log{T}(Vector256{T})"/>
    public static Vector512<T> Log<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector512.Log(x.AsSingle()).As<float, T>() : Vector512.Log(x.AsDouble()).As<double, T>();

    /// <summary>x with the sign of <paramref name="sign"/> in each lane.</summary>
    public static Vector256<T> CopySign<T>(Vector256<T> x, Vector256<T> sign)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.Create(-T.Zero), sign, x);

    /// <inheritdoc cref="CopySign{T}(Vector256{T}, Vector256{T})"/>
    public static Vector512<T> CopySign<T>(Vector512<T> x, Vector512<T> sign)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.Create(-T.Zero), sign, x);

    /// <summary>A binary operator's scalar form applied lane by lane, for functions without a vector form (x to the power s).</summary>
    public static Vector256<T> Lanewise<T, TOp>(TOp op, Vector256<T> a, Vector256<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        var y = Vector256<T>.Zero;
        for (int i = 0; i < Vector256<T>.Count; i++)
        {
            y = y.WithElement(i, op.Apply(a.GetElement(i), b.GetElement(i)));
        }

        return y;
    }

    /// <inheritdoc cref="Lanewise{T, TOp}(TOp, Vector256{T}, Vector256{T})"/>
    public static Vector512<T> Lanewise<T, TOp>(TOp op, Vector512<T> a, Vector512<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        var y = Vector512<T>.Zero;
        for (int i = 0; i < Vector512<T>.Count; i++)
        {
            y = y.WithElement(i, op.Apply(a.GetElement(i), b.GetElement(i)));
        }

        return y;
    }
}
