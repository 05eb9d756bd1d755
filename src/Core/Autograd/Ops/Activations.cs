using TensorGrad.Autograd;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Activation functions and (log-)softmax.</summary>
public sealed partial class Tensor
{
    /// <summary>Logistic sigmoid 1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid() => Elementwise.Unary(UnaryOp.Sigmoid, this);

    /// <summary>Rectified linear unit max(x, 0); its gradient at 0 is 0.</summary>
    public Tensor Relu() => Elementwise.Unary(UnaryOp.Relu, this);

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Elementwise.Unary(UnaryOp.Tanh, this);

    /// <summary>Softplus ln(1 + eˣ), stable for large |x|.</summary>
    public Tensor Softplus() => Elementwise.Unary(UnaryOp.Softplus, this);

    /// <summary>Softmax along <paramref name="axis"/> (default: the last), stable for large inputs.</summary>
    public Tensor Softmax(int axis = -1) => Activations.Softmax(this, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/> (default: the last), stable for large inputs.</summary>
    public Tensor LogSoftmax(int axis = -1) => Activations.Softmax(this, axis, log: true);
}

/// <summary>Forward kernels and gradient nodes of softmax and log-softmax.</summary>
internal static class Activations
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
