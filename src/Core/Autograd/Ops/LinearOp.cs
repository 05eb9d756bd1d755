using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>
/// The fully connected layer as one op: <c>y = x·Wᵀ + b</c> for x [rows, in], W [out, in] and
/// b [out], optionally followed by ReLU. The backend runs it as one kernel where it can (the CPU
/// adds the bias and applies ReLU in the GEMM's epilogue), and one node computes all three
/// gradients, so a layer, or a layer and its ReLU, makes one tensor.
/// </summary>
internal static class LinearOp
{
    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias, bool relu)
    {
        string name = relu ? "Linear+ReLU" : "Linear";
        OpChecks.Parameters(name, x, weight, bias);

        int rows = x.Shape[0], inFeatures = x.Shape[1], outFeatures = weight.Shape[0];
        var y = Tensor.Result(x.Backend, Shape.Adopt(rows, outFeatures), x.DType, name);
        x.Backend.Linear(x.Buffer, weight.Buffer, bias?.Buffer, rows, inFeatures, outFeatures, relu, y.Buffer);
        if (Tape.ShouldRecord(x, weight) || (bias is not null && Tape.ShouldRecord(bias)))
        {
            Tape.Record(new LinearNode(name, x, weight, bias, relu ? y : null), y);
        }

        return y;
    }

    /// <summary>The layer's backward; with <paramref name="reluOutput"/>, the gradient first passes ReLU's mask (where the output is positive).</summary>
    private sealed class LinearNode(string name, Tensor x, Tensor weight, Tensor? bias, Tensor? reluOutput) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => bias is null ? [x, weight] : [x, weight, bias];

        public override string Name => name;

        public override void Backward(Tensor gradOutput)
        {
            int rows = gradOutput.Shape[0], outFeatures = gradOutput.Shape[1], inFeatures = x.Shape[1];
            var backend = gradOutput.Backend;
            var g = gradOutput;
            if (reluOutput is not null)
            {
                g = Tensor.Result(backend, gradOutput.Shape, gradOutput.DType, "Linear+ReLU backward");
                // ReLU's gradient reads its input's sign, which its output shares.
                backend.UnaryBackward(UnaryOp.Relu, reluOutput.Buffer, gradOutput.Buffer, g.Buffer);
            }

            if (x.RequiresGrad)
            {
                // dx = g·W
                var grad = Tensor.Result(backend, x.Shape, x.DType, "Linear backward");
                backend.Gemm(false, false, rows, inFeatures, outFeatures, 1.0, g.Buffer, weight.Buffer, 0.0, grad.Buffer);
                Backprop.Accumulate(x, grad);
            }

            // dW = gᵀ·x, times the weight's gradient scale (data parallelism's 1 / ranks) for free;
            // an optimizer stepping in the backward pass may take it unwritten, after dx used W.
            if (weight.RequiresGrad
                && !Backprop.TryStepFromProduct(weight, new LinearWeightGradient(g.Buffer, x.Buffer, rows, outFeatures, inFeatures, weight.GradientScale)))
            {
                var grad = Tensor.Result(backend, weight.Shape, weight.DType, "Linear backward");
                backend.Gemm(true, false, outFeatures, inFeatures, rows, weight.GradientScale, g.Buffer, x.Buffer, 0.0, grad.Buffer);
                Backprop.Accumulate(weight, grad, scaled: true);
            }

            if (bias is { RequiresGrad: true })
            {
                // db = Σ over rows of g
                var grad = Tensor.Result(backend, bias.Shape, bias.DType, "Linear backward");
                backend.Reduce(ReduceOp.Sum, g.Buffer, 1, rows, outFeatures, grad.Buffer);
                Backprop.Accumulate(bias, grad);
            }

            if (reluOutput is not null)
            {
                g.Release("after the backward pass consumed it");
            }
        }
    }
}
