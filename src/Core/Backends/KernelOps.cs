namespace TensorGrad.Backends;

/// <summary>Elementwise functions of one tensor: <c>y[i] = f(x[i])</c>.</summary>
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

    /// <summary>ln(1 + eˣ), computed stably as max(x, 0) + ln(1 + e^-|x|).</summary>
    Softplus,
}

/// <summary>Elementwise functions of a tensor and a scalar s: <c>y[i] = f(x[i], s)</c>.</summary>
public enum ScalarOp
{
    /// <summary>x + s</summary>
    Add,

    /// <summary>x · s</summary>
    Mul,

    /// <summary>s - x</summary>
    ReverseSub,

    /// <summary>s / x</summary>
    ReverseDiv,

    /// <summary>xˢ</summary>
    Pow,

    /// <summary>max(x, s)</summary>
    Max,

    /// <summary>min(x, s)</summary>
    Min,
}

/// <summary>Elementwise functions of two tensors with NumPy broadcasting: <c>y = f(a, b)</c>.</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,

    /// <summary>a - b</summary>
    Sub,

    /// <summary>a · b</summary>
    Mul,

    /// <summary>a / b</summary>
    Div,

    /// <summary>ReLU backward: a = input x, b = upstream gradient; b where x &gt; 0, else 0.</summary>
    ReluBackward,

    /// <summary>Sigmoid backward: a = output y, b = upstream gradient; b·y·(1 - y).</summary>
    SigmoidBackward,

    /// <summary>Tanh backward: a = output y, b = upstream gradient; b·(1 - y²).</summary>
    TanhBackward,
}

/// <summary>Reductions along an axis.</summary>
public enum ReduceOp
{
    /// <summary>Sum of the elements.</summary>
    Sum,

    /// <summary>Largest element (NaN if any element is NaN).</summary>
    Max,
}
