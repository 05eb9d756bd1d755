using System.Numerics;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>An associative reduction with its identity (the result of an empty reduction).</summary>
internal interface IReduceOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Identity { get; }

    static abstract T Combine(T a, T b);
}

internal readonly struct SumReduction<T> : IReduceOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Identity => T.Zero;

    public static T Combine(T a, T b) => a + b;
}

/// <summary>Largest element; NaN if any is NaN; -∞ when empty.</summary>
internal readonly struct MaxReduction<T> : IReduceOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Identity => T.NegativeInfinity;

    public static T Combine(T a, T b) => default(MaxOperator<T>).Apply(a, b);
}
