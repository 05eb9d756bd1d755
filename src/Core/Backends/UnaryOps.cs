using System.Numerics;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends;

/// <summary>Elementwise functions of one tensor: <c>y[i] = f(x[i])</c>, each with its gradient.</summary>
public enum UnaryOp
{
    /// <summary>-x</summary>
    Neg,

    /// <summary>x²</summary>
    Square,

    /// <summary>√x</summary>
    Sqrt,

    /// <summary>eˣ</summary>
    Exp,

    /// <summary>ln x</summary>
    Log,

    /// <summary>1 / (1 + e⁻ˣ)</summary>
    Sigmoid,

    /// <summary>tanh x</summary>
    Tanh,

    /// <summary>max(x, 0)</summary>
    Relu,

    /// <summary>ln(1 + e^(βx)) / β, and x where βx exceeds the threshold; β = <see cref="UnaryFunction.Parameter"/>, the threshold <see cref="UnaryFunction.Parameter2"/>.</summary>
    Softplus,

    /// <summary>x where x &gt; 0, else <see cref="UnaryFunction.Parameter"/>·x (the negative slope).</summary>
    LeakyRelu,

    /// <summary>x where x &gt; 0, else α(eˣ - 1) with α = <see cref="UnaryFunction.Parameter"/>.</summary>
    Elu,

    /// <summary>x·sigmoid(x).</summary>
    Silu,

    /// <summary>x·Φ(x), Φ the standard normal distribution function (exact GELU).</summary>
    Gelu,

    /// <summary>GELU's tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    GeluTanh,

    /// <summary>|x|</summary>
    Abs,

    /// <summary>The Huber function ½x² where |x| ≤ δ, else δ(|x| - ½δ), with δ = <see cref="UnaryFunction.Parameter"/>.</summary>
    Huber,
}

/// <summary>A unary op with its parameters, if it has any: what <see cref="IBackend.Unary"/> runs.</summary>
/// <param name="Op">The function.</param>
/// <param name="Parameter">The op's first parameter (LeakyRelu's negative slope, Elu's α, Softplus's β); 0 for ops without one.</param>
/// <param name="Parameter2">The op's second parameter (Softplus's threshold); 0 for ops without one.</param>
public readonly record struct UnaryFunction(UnaryOp Op, double Parameter = 0, double Parameter2 = 0)
{
    /// <summary>An op with PyTorch's default parameters (LeakyRelu 0.01, Elu 1, Softplus β = 1 and threshold 20, Huber δ = 1).</summary>
    /// <param name="op">The op.</param>
    public static implicit operator UnaryFunction(UnaryOp op) => op switch
    {
        UnaryOp.LeakyRelu => new(op, 0.01),
        UnaryOp.Elu => new(op, 1),
        UnaryOp.Softplus => new(op, 1, 20),
        UnaryOp.Huber => new(op, 1),
        _ => new(op),
    };
}

/// <summary>The dispatch table of unary ops: each op's operator type, handed to a backend's loop.</summary>
public static class UnaryOps
{
    private static readonly bool[] FromOutput = [.. Enum.GetValues<UnaryOp>().Select(op =>
    {
        var query = new GradientSourceQuery();
        Run<double, GradientSourceQuery>(op, query);
        return query.FromOutput;
    })];

    /// <summary>Runs <paramref name="runner"/> with the operator of <paramref name="f"/>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TRunner">The backend's loop.</typeparam>
    /// <param name="f">The op and its parameter.</param>
    /// <param name="runner">The loop.</param>
    public static void Run<T, TRunner>(UnaryFunction f, TRunner runner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRunner : IUnaryOperatorRunner<T>
    {
        switch (f.Op)
        {
            case UnaryOp.Neg: runner.Run(default(NegOperator<T>)); break;
            case UnaryOp.Square: runner.Run(default(SquareOperator<T>)); break;
            case UnaryOp.Sqrt: runner.Run(default(SqrtOperator<T>)); break;
            case UnaryOp.Exp: runner.Run(default(ExpOperator<T>)); break;
            case UnaryOp.Log: runner.Run(default(LogOperator<T>)); break;
            case UnaryOp.Sigmoid: runner.Run(default(SigmoidOperator<T>)); break;
            case UnaryOp.Tanh: runner.Run(default(TanhOperator<T>)); break;
            case UnaryOp.Relu: runner.Run(default(ReluOperator<T>)); break;
            case UnaryOp.Softplus: runner.Run(new SoftplusOperator<T>(T.CreateTruncating(f.Parameter), T.CreateTruncating(f.Parameter2))); break;
            case UnaryOp.LeakyRelu: runner.Run(new LeakyReluOperator<T>(T.CreateTruncating(f.Parameter))); break;
            case UnaryOp.Elu: runner.Run(new EluOperator<T>(T.CreateTruncating(f.Parameter))); break;
            case UnaryOp.Silu: runner.Run(default(SiluOperator<T>)); break;
            case UnaryOp.Gelu: runner.Run(new GeluOperator<T>()); break;
            case UnaryOp.GeluTanh: runner.Run(new GeluTanhOperator<T>()); break;
            case UnaryOp.Abs: runner.Run(default(AbsOperator<T>)); break;
            case UnaryOp.Huber: runner.Run(new HuberOperator<T>(T.CreateTruncating(f.Parameter))); break;
            default: throw new ArgumentOutOfRangeException(nameof(f), f.Op, "Unknown unary op.");
        }
    }

    /// <summary>Runs <paramref name="runner"/> with the gradient of <paramref name="f"/>: (saved, g) ↦ g·f′.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TRunner">The backend's loop over binary operators.</typeparam>
    /// <param name="f">The op and its parameter.</param>
    /// <param name="runner">The loop.</param>
    public static void RunBackward<T, TRunner>(UnaryFunction f, TRunner runner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRunner : IBinaryOperatorRunner<T> =>
        Run<T, GradientRunner<T, TRunner>>(f, new GradientRunner<T, TRunner>(runner));

    /// <summary>Whether the gradient of <paramref name="op"/> reads its output (else its input).</summary>
    /// <param name="op">The op.</param>
    public static bool GradientFromOutput(UnaryOp op) => FromOutput[(int)op];

    private readonly struct GradientRunner<T, TRunner>(TRunner runner) : IUnaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRunner : IBinaryOperatorRunner<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IUnaryOperator<T> => runner.Run(new UnaryGradient<T, TOp>(op));
    }

    private sealed class GradientSourceQuery : IUnaryOperatorRunner<double>
    {
        public bool FromOutput { get; private set; }

        public void Run<TOp>(TOp op)
            where TOp : struct, IUnaryOperator<double> => FromOutput = TOp.GradientFromOutput;
    }
}
