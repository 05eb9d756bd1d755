using TensorGrad.Autograd;
using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>
/// The fully connected layer as one op: <c>y = x·Wᵀ + b</c> for x [rows, in], W [out, in] and
/// b [out]. The GEMM reads W transposed in place, the bias is added to the product in place, and
/// one node computes all three gradients, so a layer makes one tensor, not two.
/// </summary>
internal static class LinearOp
{
    private const string Name = "Linear";

    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias)
    {
        OpChecks.SameDeviceAndType(Name, x, weight);
        if (bias is not null)
        {
            OpChecks.SameDeviceAndType(Name, x, bias);
        }

        int rows = x.Shape[0], inFeatures = x.Shape[1], outFeatures = weight.Shape[0];
        var y = Tensor.Result(x.Backend, Shape.Adopt(rows, outFeatures), x.DType, Name);
        x.Backend.Gemm(false, true, rows, outFeatures, inFeatures, 1.0, x.Buffer, weight.Buffer, 0.0, y.Buffer);
        if (bias is not null)
        {
            x.Backend.BiasAdd(y.Buffer, bias.Buffer, rows, outFeatures, y.Buffer);
        }

        if (Tape.ShouldRecord(x, weight) || (bias is not null && Tape.ShouldRecord(bias)))
        {
            Tape.Record(new LinearNode(x, weight, bias), y);
        }

        return y;
    }

    private sealed class LinearNode(Tensor x, Tensor weight, Tensor? bias) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => bias is null ? [x, weight] : [x, weight, bias];

        public override string Name => LinearOp.Name;

        public override void Backward(Tensor g)
        {
            int rows = g.Shape[0], outFeatures = g.Shape[1], inFeatures = x.Shape[1];
            var backend = g.Backend;
            if (x.RequiresGrad)
            {
                // dx = g·W
                var grad = Tensor.Result(backend, x.Shape, x.DType, "Linear backward");
                backend.Gemm(false, false, rows, inFeatures, outFeatures, 1.0, g.Buffer, weight.Buffer, 0.0, grad.Buffer);
                Backprop.Accumulate(x, grad);
            }

            if (weight.RequiresGrad)
            {
                // dW = gᵀ·x
                var grad = Tensor.Result(backend, weight.Shape, weight.DType, "Linear backward");
                backend.Gemm(true, false, outFeatures, inFeatures, rows, 1.0, g.Buffer, x.Buffer, 0.0, grad.Buffer);
                Backprop.Accumulate(weight, grad);
            }

            if (bias is { RequiresGrad: true })
            {
                // db = Σ over rows of g
                var grad = Tensor.Result(backend, bias.Shape, bias.DType, "Linear backward");
                backend.Reduce(ReduceOp.Sum, g.Buffer, 1, rows, outFeatures, grad.Buffer);
                Backprop.Accumulate(bias, grad);
            }
        }
    }
}
