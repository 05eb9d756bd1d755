namespace TensorGrad.Autograd.Ops;

/// <summary>Forward kernels and gradient nodes of softmax and log-softmax.</summary>
internal static class SoftmaxOp
{
    public static Tensor Softmax(Tensor x, int axis, bool log)
    {
        string name = log ? "LogSoftmax" : "Softmax";
        int a = x.Shape.NormalizeAxis(axis, name);
        var (outer, n, inner) = x.Shape.SplitAt(a);
        var y = Tensor.Result(x.Backend, x.Shape, x.DType, name);
        if (y.Size > 0)
        {
            x.Backend.Softmax(x.Buffer, outer, n, inner, log, y.Buffer);
        }

        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new SoftmaxNode(x, a, log), y);
        }

        return y;
    }

    private sealed class SoftmaxNode(Tensor x, int axis, bool log) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => log ? "LogSoftmax" : "Softmax";

        public override void Backward(Tensor g)
        {
            var y = Output;
            var grad = log
                ? g - (y.Exp() * g.Sum(axis, keepDim: true))
                : y * (g - (g * y).Sum(axis, keepDim: true));
            Backprop.Accumulate(x, grad);
        }
    }
}
