using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

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

    public static Tensor Unary(UnaryFunction f, Tensor x)
    {
        var y = Tensor.Result(x.Backend, x.Shape, x.DType, OpNames.Of(f.Op));
        x.Backend.Unary(f, x.Buffer, y.Buffer);
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new UnaryNode(f, x), y);
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

    /// <summary>The gradient of a unary function: one backend kernel, reading the input or the output as the operator says.</summary>
    private sealed class UnaryNode(UnaryFunction f, Tensor x) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => OpNames.Of(f.Op);

        public override void Backward(Tensor g)
        {
            var saved = UnaryOps.GradientFromOutput(f.Op) ? Output : x;
            var grad = Tensor.Result(g.Backend, x.Shape, x.DType, Name + " backward");
            g.Backend.UnaryBackward(f, saved.Buffer, g.Buffer, grad.Buffer);
            Backprop.Accumulate(x, grad);
        }
    }
}
