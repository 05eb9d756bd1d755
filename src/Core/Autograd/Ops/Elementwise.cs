using TensorGrad.Autograd;
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

    /// <summary>x²</summary>
    public Tensor Square() => Elementwise.Unary(UnaryOp.Square, this);

    /// <summary>x raised to a scalar power.</summary>
    public Tensor Pow(double exponent) => Elementwise.Scalar(ScalarOp.Pow, this, exponent);
}

/// <summary>Forward kernels and gradient nodes of the elementwise op family.</summary>
internal static class Elementwise
{
    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        string name = OpNames.Of(op);
        OpChecks.SameDeviceAndType(name, a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, name);
        var y = Tensor.Result(a.Backend, shape, a.DType, name);
        a.Backend.Binary(op, a.Buffer, a.Shape, b.Buffer, b.Shape, y.Buffer, shape);
        if (Tape.ShouldRecord(a, b))
        {
            Tape.Record(new BinaryNode(op, a, b), y);
        }

        return y;
    }

    public static Tensor Scalar(ScalarOp op, Tensor x, double s)
    {
        var y = Tensor.Result(x.Backend, x.Shape, x.DType, OpNames.Of(op));
        x.Backend.Scalar(op, x.Buffer, s, y.Buffer);
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new ScalarNode(op, x, s), y);
        }

        return y;
    }

    public static Tensor Unary(UnaryOp op, Tensor x)
    {
        var y = Tensor.Result(x.Backend, x.Shape, x.DType, OpNames.Of(op));
        x.Backend.Unary(op, x.Buffer, y.Buffer);
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new UnaryNode(op, x), y);
        }

        return y;
    }

    /// <summary>Sums a broadcast gradient back down to <paramref name="shape"/> (the input's shape before broadcasting).</summary>
    public static Tensor SumTo(Tensor g, Shape shape)
    {
        if (g.Shape == shape)
        {
            return g;
        }

        int lead = g.Rank - shape.Rank;
        for (int axis = g.Rank - 1; axis >= lead; axis--)
        {
            if (shape[axis - lead] == 1 && g.Shape[axis] != 1)
            {
                g = g.Sum(axis, keepDim: true);
            }
        }

        for (int i = 0; i < lead; i++)
        {
            g = g.Sum(0);
        }

        return g.Shape == shape ? g : g.Reshape(shape);
    }

    private sealed class BinaryNode(BinaryOp op, Tensor a, Tensor b) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [a, b];

        public override string Name => OpNames.Of(op);

        public override void Backward(Tensor g)
        {
            switch (op)
            {
                case BinaryOp.Add:
                    Backprop.Accumulate(a, SumTo(g, a.Shape));
                    Backprop.Accumulate(b, SumTo(g, b.Shape));
                    break;
                case BinaryOp.Sub:
                    Backprop.Accumulate(a, SumTo(g, a.Shape));
                    if (b.RequiresGrad)
                    {
                        Backprop.Accumulate(b, SumTo(-g, b.Shape));
                    }

                    break;
                case BinaryOp.Mul:
                    if (a.RequiresGrad)
                    {
                        Backprop.Accumulate(a, SumTo(g * b, a.Shape));
                    }

                    if (b.RequiresGrad)
                    {
                        Backprop.Accumulate(b, SumTo(g * a, b.Shape));
                    }

                    break;
                case BinaryOp.Div:
                    if (a.RequiresGrad)
                    {
                        Backprop.Accumulate(a, SumTo(g / b, a.Shape));
                    }

                    if (b.RequiresGrad)
                    {
                        Backprop.Accumulate(b, SumTo(-(g * Output) / b, b.Shape));
                    }

                    break;
                default:
                    throw new NotSupportedException($"{op} has no gradient.");
            }
        }
    }

    private sealed class ScalarNode(ScalarOp op, Tensor x, double s) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => OpNames.Of(op);

        public override void Backward(Tensor g) => Backprop.Accumulate(x, op switch
        {
            ScalarOp.Add => g,
            ScalarOp.Mul => g * s,
            ScalarOp.ReverseSub => -g,
            ScalarOp.ReverseDiv => -(g * Output) / x,
            ScalarOp.Pow => g * s * x.Pow(s - 1),
            _ => throw new NotSupportedException($"{op} has no gradient."),
        });
    }

    private sealed class UnaryNode(UnaryOp op, Tensor x) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => OpNames.Of(op);

        public override void Backward(Tensor g) => Backprop.Accumulate(x, op switch
        {
            UnaryOp.Neg => -g,
            UnaryOp.Exp => g * Output,
            UnaryOp.Log => g / x,
            UnaryOp.Sqrt => g * 0.5 / Output,
            UnaryOp.Square => g * 2 * x,
            UnaryOp.Sigmoid => Binary(BinaryOp.SigmoidBackward, Output, g),
            UnaryOp.Tanh => Binary(BinaryOp.TanhBackward, Output, g),
            UnaryOp.Relu => Binary(BinaryOp.ReluBackward, x, g),
            UnaryOp.Softplus => g * x.Sigmoid(),
            _ => throw new NotSupportedException($"{op} has no gradient."),
        });
    }
}
