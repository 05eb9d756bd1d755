using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Arithmetic with NumPy broadcasting, scalar variants and elementwise math.</summary>
public sealed partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Elementwise.Binary(BinaryOp.Add, a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Elementwise.Binary(BinaryOp.Sub, a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Elementwise.Binary(BinaryOp.Mul, a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Elementwise.Binary(BinaryOp.Div, a, b);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(Tensor a, double s) => Elementwise.Scalar(ScalarOp.Add, a, s);

    /// <inheritdoc cref="op_Addition(Tensor, double)"/>
    public static Tensor operator +(double s, Tensor a) => Elementwise.Scalar(ScalarOp.Add, a, s);

    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor operator -(Tensor a, double s) => Elementwise.Scalar(ScalarOp.Add, a, -s);

    /// <summary>Subtracts every element from a scalar.</summary>
    public static Tensor operator -(double s, Tensor a) => Elementwise.Scalar(ScalarOp.ReverseSub, a, s);

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(Tensor a, double s) => Elementwise.Scalar(ScalarOp.Mul, a, s);

    /// <inheritdoc cref="op_Multiply(Tensor, double)"/>
    public static Tensor operator *(double s, Tensor a) => Elementwise.Scalar(ScalarOp.Mul, a, s);

    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor operator /(Tensor a, double s) => Elementwise.Scalar(ScalarOp.Mul, a, 1.0 / s);

    /// <summary>Divides a scalar by every element.</summary>
    public static Tensor operator /(double s, Tensor a) => Elementwise.Scalar(ScalarOp.ReverseDiv, a, s);

    /// <summary>Negates every element.</summary>
    public static Tensor operator -(Tensor a) => Elementwise.Unary(UnaryOp.Neg, a);

    /// <summary>Elementwise sum with broadcasting.</summary>
    public Tensor Add(Tensor other) => this + other;

    /// <summary>Elementwise difference with broadcasting.</summary>
    public Tensor Sub(Tensor other) => this - other;

    /// <summary>Elementwise product with broadcasting.</summary>
    public Tensor Mul(Tensor other) => this * other;

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public Tensor Div(Tensor other) => this / other;

    /// <summary>-x</summary>
    public Tensor Neg() => -this;

    /// <summary>eˣ</summary>
    public Tensor Exp() => Elementwise.Unary(UnaryOp.Exp, this);

    /// <summary>Natural logarithm (NaN for negative inputs, -∞ at 0).</summary>
    public Tensor Log() => Elementwise.Unary(UnaryOp.Log, this);

    /// <summary>√x</summary>
    public Tensor Sqrt() => Elementwise.Unary(UnaryOp.Sqrt, this);

    /// <summary>Elementwise absolute value; the gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Abs() => Elementwise.Unary(UnaryOp.Abs, this);

    /// <summary>x²</summary>
    public Tensor Square() => Elementwise.Unary(UnaryOp.Square, this);

    /// <summary>x raised to a scalar power.</summary>
    public Tensor Pow(double exponent) => Elementwise.Scalar(ScalarOp.Pow, this, exponent);
}
