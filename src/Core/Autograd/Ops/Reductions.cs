using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>Forward kernels and gradient nodes of the reduction op family.</summary>
internal static class Reductions
{
    public static Tensor All(Tensor x, ReduceOp op, bool mean)
    {
        var flat = x.Rank == 1 ? x : x.Reshape((int)x.Size);
        return Along(flat, op, 0, keepDim: false, mean);
    }

    public static Tensor Along(Tensor x, ReduceOp op, int axis, bool keepDim, bool mean)
    {
        (string name, string backwardName) = mean ? ("Mean", "Mean backward") : op == ReduceOp.Max ? ("Max", "Max backward") : ("Sum", "Sum backward");
        int a = x.Shape.NormalizeAxis(axis, name);
        var (outer, n, inner) = x.Shape.SplitAt(a);
        if (op == ReduceOp.Max)
        {
            CheckNotEmpty(name, x, n);
        }

        var shape = x.Shape.Reduce(a, keepDim);
        var y = Tensor.Result(x.Backend, shape, x.DType, name);
        x.Backend.Reduce(op, x.Buffer, outer, n, inner, y.Buffer);
        if (mean)
        {
            x.Backend.Scalar(ScalarOp.Mul, y.Buffer, 1.0 / n, y.Buffer);
        }

        if (Tape.ShouldRecord(x))
        {
            Tensor? indices = null;
            if (op == ReduceOp.Max)
            {
                indices = Tensor.Result(x.Backend, shape, x.DType, "Max indices");
                x.Backend.ArgMax(x.Buffer, outer, n, inner, indices.Buffer);
            }

            Tape.Record(new ReduceNode(x, a, mean ? 1.0 / n : 1.0, indices, name, backwardName), y);
        }

        return y;
    }

    public static void CheckNotEmpty(string op, Tensor x, int axisLength)
    {
        if (axisLength == 0)
        {
            throw new ArgumentException($"{op}: cannot take the maximum over an empty axis of shape {x.Shape} on {x.Device}.");
        }
    }

    private sealed class ReduceNode(Tensor x, int axis, double scale, Tensor? indices, string name, string backwardName) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => name;

        public override void Backward(Tensor g)
        {
            var (outer, n, inner) = x.Shape.SplitAt(axis);
            var grad = Tensor.Result(x.Backend, x.Shape, x.DType, backwardName);
            if (indices is not null)
            {
                x.Backend.ScatterAlongAxis(g.Buffer, indices.Buffer, outer, n, inner, grad.Buffer);
            }
            else
            {
                x.Backend.Expand(g.Buffer, Shape.Adopt(outer, 1, inner), grad.Buffer, Shape.Adopt(outer, n, inner));
                if (scale != 1.0)
                {
                    x.Backend.Scalar(ScalarOp.Mul, grad.Buffer, scale, grad.Buffer);
                }
            }

            Backprop.Accumulate(x, grad);
        }
    }
}
