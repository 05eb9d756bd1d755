using System.Numerics;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>A function of two elements, inlined into the binary and tensor-scalar kernels.</summary>
internal interface IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T a, T b);
}

internal readonly struct AddOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a + b;
}

internal readonly struct SubOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a - b;
}

internal readonly struct MulOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a * b;
}

internal readonly struct DivOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a / b;
}

/// <summary>max(a, b), NaN if either is NaN (as the CPU backend; device fmax would drop the NaN).</summary>
internal readonly struct MaxOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : (a > b ? a : b);
}

/// <summary>min(a, b), NaN if either is NaN.</summary>
internal readonly struct MinOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : (a < b ? a : b);
}

/// <summary>a to the power b.</summary>
internal readonly struct PowOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.Pow(a, b);
}

/// <summary>ReLU backward: a = input, b = upstream gradient; b where a &gt; 0, else 0.</summary>
internal readonly struct ReluBackwardOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a > T.Zero ? b : T.Zero;
}

/// <summary>Sigmoid backward: a = output y, b = upstream gradient; b·y·(1 - y).</summary>
internal readonly struct SigmoidBackwardOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => b * a * (T.One - a);
}

/// <summary>Tanh backward: a = output y, b = upstream gradient; b·(1 - y²).</summary>
internal readonly struct TanhBackwardOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => b * (T.One - (a * a));
}

/// <summary>b - a: the tensor-scalar kernel's s - x.</summary>
internal readonly struct ReverseSubOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => b - a;
}

/// <summary>b / a: the tensor-scalar kernel's s / x.</summary>
internal readonly struct ReverseDivOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => b / a;
}
