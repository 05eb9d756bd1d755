using System.Numerics;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>A function of one element, inlined into <see cref="ElementwiseKernels.Unary{T, TOp}"/> (one kernel body, many ops).</summary>
internal interface IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T x);
}

internal readonly struct NegOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => -x;
}

internal readonly struct SquareOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => x * x;
}

internal readonly struct SqrtOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.Sqrt(x);
}

internal readonly struct ExpOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.Exp(x);
}

internal readonly struct LogOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.Log(x);
}

/// <summary>1 / (1 + e⁻ˣ): saturates to 0 and 1 without NaN.</summary>
internal readonly struct SigmoidOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.One / (T.One + T.Exp(-x));
}

internal readonly struct TanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.Tanh(x);
}

/// <summary>max(x, 0); NaN stays NaN, as on the CPU backend.</summary>
internal readonly struct ReluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => x < T.Zero ? T.Zero : x;
}

/// <summary>ln(1 + eˣ) as max(x, 0) + ln(1 + e^-|x|), stable for large |x|.</summary>
internal readonly struct SoftplusOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => ReluOperator<T>.Apply(x) + T.Log(T.One + T.Exp(-T.Abs(x)));
}
