using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>An elementwise function of two values, in scalar and vector forms (one loop, many ops).</summary>
internal interface IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Invoke(T a, T b);

    static abstract Vector256<T> Invoke(Vector256<T> a, Vector256<T> b);

    static abstract Vector512<T> Invoke(Vector512<T> a, Vector512<T> b);
}

internal readonly struct AddOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a + b;

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a + b;

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => a + b;
}

internal readonly struct SubOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a - b;

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a - b;

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => a - b;
}

internal readonly struct MulOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a * b;

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a * b;

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => a * b;
}

internal readonly struct DivOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a / b;

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a / b;

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => a / b;
}

/// <summary>max(a, b), NaN if either is NaN (as Math.Max).</summary>
internal readonly struct MaxOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Max(a, b);

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
}

/// <summary>min(a, b), NaN if either is NaN (as Math.Min).</summary>
internal readonly struct MinOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Min(a, b);

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
}

/// <summary>ReLU backward: a = input, b = upstream gradient; b where a &gt; 0, else 0 (NaN inputs give 0).</summary>
internal readonly struct ReluBackwardOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a > T.Zero ? b : T.Zero;

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<T>.Zero), b, Vector256<T>.Zero);

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<T>.Zero), b, Vector512<T>.Zero);
}

/// <summary>Sigmoid backward: a = sigmoid output y, b = upstream gradient; b·y·(1 - y).</summary>
internal readonly struct SigmoidBackwardOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => b * a * (T.One - a);

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => b * a * (Vector256<T>.One - a);

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => b * a * (Vector512<T>.One - a);
}

/// <summary>Tanh backward: a = tanh output y, b = upstream gradient; b·(1 - y²).</summary>
internal readonly struct TanhBackwardOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => b * (T.One - (a * a));

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => b * (Vector256<T>.One - (a * a));

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => b * (Vector512<T>.One - (a * a));
}

/// <summary>An operator with its operands swapped: op(b, a).</summary>
internal readonly struct Swapped<T, TOp> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : IBinaryOperator<T>
{
    public static T Invoke(T a, T b) => TOp.Invoke(b, a);

    public static Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => TOp.Invoke(b, a);

    public static Vector512<T> Invoke(Vector512<T> a, Vector512<T> b) => TOp.Invoke(b, a);
}
