using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Operators;

/// <summary>
/// The Huber function of a difference d (PyTorch's huber_loss per element): ½d² where |d| ≤ δ,
/// else δ(|d| - ½δ); gradient g·clamp(d, -δ, δ).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="delta">δ, where the quadratic turns linear.</param>
public readonly struct HuberOperator<T>(T delta) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T delta = delta;

    /// <inheritdoc />
    public static bool GradientFromOutput => false;

    /// <inheritdoc />
    public T Apply(T x)
    {
        T a = T.Abs(x), half = T.One / (T.One + T.One);
        return a <= delta ? half * x * x : delta * (a - (half * delta));
    }

    /// <inheritdoc />
    public Vector256<T> Apply(Vector256<T> x)
    {
        var a = Vector256.Abs(x);
        var half = Vector256.Create(T.CreateTruncating(0.5));
        return Vector256.ConditionalSelect(Vector256.LessThanOrEqual(a, Vector256.Create(delta)), half * x * x, (a - (half * delta)) * delta);
    }

    /// <inheritdoc />
    public Vector512<T> Apply(Vector512<T> x) => Vector512.Create(Apply(x.GetLower()), Apply(x.GetUpper()));

    /// <inheritdoc />
    public T Backward(T saved, T g) => g * (saved > delta ? delta : (saved < -delta ? -delta : saved));

    /// <inheritdoc />
    public Vector256<T> Backward(Vector256<T> saved, Vector256<T> g) =>
        g * Vector256.ConditionalSelect(Vector256.GreaterThan(saved, Vector256.Create(delta)), Vector256.Create(delta), Vector256.ConditionalSelect(Vector256.LessThan(saved, Vector256.Create(-delta)), Vector256.Create(-delta), saved));

    /// <inheritdoc />
    public Vector512<T> Backward(Vector512<T> saved, Vector512<T> g) => Vector512.Create(Backward(saved.GetLower(), g.GetLower()), Backward(saved.GetUpper(), g.GetUpper()));
}
