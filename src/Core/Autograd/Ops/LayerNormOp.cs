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
        foreach (var parameter in new[] { weight, bias })
        {
            if (parameter is not null)
            {
                OpChecks.SameDeviceAndType(name, x, parameter);
            }
        }

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
        public override IReadOnlyList<Tensor> Inputs => [x, .. weight is null ? Array.Empty<Tensor>() : [weight], .. bias is null ? Array.Empty<Tensor>() : [bias]];

        public override string Name => "LayerNorm";

        public override void Backward(Tensor g)
        {
            int rows = x.Shape[0], cols = x.Shape[1];
            var backend = g.Backend;
            var gradX = Tensor.Result(backend, x.Shape, x.DType, "LayerNorm backward");
            var gradWeight = weight is { RequiresGrad: true } ? Tensor.Result(backend, weight.Shape, weight.DType, "LayerNorm backward") : null;
            var gradBias = bias is { RequiresGrad: true } ? Tensor.Result(backend, bias.Shape, bias.DType, "LayerNorm backward") : null;
            backend.LayerNormBackward(g.Buffer, x.Buffer, weight?.Buffer, mean.Buffer, rstd.Buffer, rows, cols, gradX.Buffer, gradWeight?.Buffer, gradBias?.Buffer);
            if (x.RequiresGrad)
            {
                Backprop.Accumulate(x, gradX);
            }
            else
            {
                gradX.ReleaseIfUnowned();
            }

            if (gradWeight is not null)
            {
                Backprop.Accumulate(weight!, gradWeight);
            }

            if (gradBias is not null)
            {
                Backprop.Accumulate(bias!, gradBias);
            }
        }
    }
}
