namespace TensorGrad.Autograd.Ops;

/// <summary>
/// Batch normalization of x [outer, channels, inner] with the batch's statistics as one op: one
/// backend kernel forward (which returns the per-channel mean and biased variance, for the running
/// statistics and the backward), one backward for the input, weight and bias gradients.
/// </summary>
internal static class BatchNormOp
{
    public static (Tensor Y, Tensor Mean, Tensor Variance) Forward(Tensor x, Tensor? weight, Tensor? bias, int outer, int channels, int inner, double eps)
    {
        const string name = "BatchNorm";
        OpChecks.Parameters(name, x, weight, bias);

        var backend = x.Backend;
        var y = Tensor.Result(backend, x.Shape, x.DType, name);
        var mean = Tensor.Result(backend, Shape.Adopt(channels), x.DType, name + " mean");
        var variance = Tensor.Result(backend, Shape.Adopt(channels), x.DType, name + " variance");
        backend.BatchNorm(x.Buffer, weight?.Buffer, bias?.Buffer, outer, channels, inner, eps, y.Buffer, mean.Buffer, variance.Buffer);
        if (Tape.ShouldRecord(x) || (weight is not null && Tape.ShouldRecord(weight)) || (bias is not null && Tape.ShouldRecord(bias)))
        {
            Tape.Record(new BatchNormNode(x, weight, bias, mean, variance, outer, channels, inner, eps), y);
        }

        return (y, mean, variance);
    }

    private sealed class BatchNormNode(Tensor x, Tensor? weight, Tensor? bias, Tensor mean, Tensor variance, int outer, int channels, int inner, double eps) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => AffineGradients.Inputs(x, weight, bias);

        public override string Name => "BatchNorm";

        public override void Backward(Tensor g)
        {
            var grads = AffineGradients.Create(g, "BatchNorm backward", x, weight, bias);
            g.Backend.BatchNormBackward(g.Buffer, x.Buffer, weight?.Buffer, mean.Buffer, variance.Buffer, outer, channels, inner, eps, grads.GradX.Buffer, grads.GradWeight?.Buffer, grads.GradBias?.Buffer);
            grads.Accumulate();
        }
    }
}
