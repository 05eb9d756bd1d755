namespace TensorGrad.Autograd.Ops;

/// <summary>
/// Layer normalization as one op over x of any shape whose last dimensions hold
/// <c>cols</c> elements (x read as [rows, cols], no reshape, so no view and no gradient copy):
/// one backend kernel forward (which keeps each row's mean and 1/std), one backward for the
/// input, weight and bias gradients. The weight and bias hold <c>cols</c> elements in any shape.
/// </summary>
internal static class LayerNormOp
{
    public static Tensor Forward(Tensor x, int cols, Tensor? weight, Tensor? bias, double eps)
    {
        const string name = "LayerNorm";
        OpChecks.Parameters(name, x, weight, bias);

        int rows = checked((int)(x.Size / cols));
        var backend = x.Backend;
        var y = Tensor.Result(backend, x.Shape, x.DType, name);
        var mean = Tensor.Result(backend, Shape.Adopt(rows), x.DType, name + " mean");
        var rstd = Tensor.Result(backend, Shape.Adopt(rows), x.DType, name + " rstd");
        backend.LayerNorm(x.Buffer, weight?.Buffer, bias?.Buffer, rows, cols, eps, y.Buffer, mean.Buffer, rstd.Buffer);
        if (Tape.ShouldRecord(x) || (weight is not null && Tape.ShouldRecord(weight)) || (bias is not null && Tape.ShouldRecord(bias)))
        {
            Tape.Record(new LayerNormNode(x, rows, cols, weight, bias, mean, rstd), y);
        }
        else
        {
            mean.ReleaseIfUnowned();
            rstd.ReleaseIfUnowned();
        }

        return y;
    }

    private sealed class LayerNormNode(Tensor x, int rows, int cols, Tensor? weight, Tensor? bias, Tensor mean, Tensor rstd) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => AffineGradients.Inputs(x, weight, bias);

        public override string Name => "LayerNorm";

        public override void Backward(Tensor g)
        {
            var grads = AffineGradients.Create(g, "LayerNorm backward", x, weight, bias);
            g.Backend.LayerNormBackward(g.Buffer, x.Buffer, weight?.Buffer, mean.Buffer, rstd.Buffer, rows, cols, grads.GradX.Buffer, grads.GradWeight?.Buffer, grads.GradBias?.Buffer);
            grads.Accumulate();
        }
    }
}
