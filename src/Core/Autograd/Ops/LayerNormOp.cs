namespace TensorGrad.Autograd.Ops;

/// <summary>
/// Layer normalization of the rows of x [rows, cols] as one op: one backend kernel forward (which
/// keeps each row's mean and 1/std), one backward for the input, weight and bias gradients.
/// </summary>
internal static class LayerNormOp
{
    public static Tensor Forward(Tensor x, Tensor? weight, Tensor? bias, double eps)
    {
        const string name = "LayerNorm";
        OpChecks.Parameters(name, x, weight, bias);

        int rows = x.Shape[0], cols = x.Shape[1];
        var backend = x.Backend;
        var y = Tensor.Result(backend, x.Shape, x.DType, name);
        var mean = Tensor.Result(backend, Shape.Adopt(rows), x.DType, name + " mean");
        var rstd = Tensor.Result(backend, Shape.Adopt(rows), x.DType, name + " rstd");
        backend.LayerNorm(x.Buffer, weight?.Buffer, bias?.Buffer, rows, cols, eps, y.Buffer, mean.Buffer, rstd.Buffer);
        if (Tape.ShouldRecord(x) || (weight is not null && Tape.ShouldRecord(weight)) || (bias is not null && Tape.ShouldRecord(bias)))
        {
            Tape.Record(new LayerNormNode(x, weight, bias, mean, rstd), y);
        }
        else
        {
            mean.ReleaseIfUnowned();
            rstd.ReleaseIfUnowned();
        }

        return y;
    }

    private sealed class LayerNormNode(Tensor x, Tensor? weight, Tensor? bias, Tensor mean, Tensor rstd) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => AffineGradients.Inputs(x, weight, bias);

        public override string Name => "LayerNorm";

        public override void Backward(Tensor g)
        {
            var grads = AffineGradients.Create(g, "LayerNorm backward", x, weight, bias);
            g.Backend.LayerNormBackward(g.Buffer, x.Buffer, weight?.Buffer, mean.Buffer, rstd.Buffer, x.Shape[0], x.Shape[1], grads.GradX.Buffer, grads.GradWeight?.Buffer, grads.GradBias?.Buffer);
            grads.Accumulate();
        }
    }
}
