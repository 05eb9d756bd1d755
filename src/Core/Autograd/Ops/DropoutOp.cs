using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>Inverted dropout: one backend kernel draws the mask from a Philox stream and applies it; the gradient is g·mask.</summary>
internal static class DropoutOp
{
    public static Tensor Forward(Tensor x, double p, RandomStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckProbability(p);
        if (p == 0)
        {
            return x;
        }

        var y = Tensor.Result(x.Backend, x.Shape, x.DType, "Dropout");
        var mask = Tensor.Result(x.Backend, x.Shape, x.DType, "Dropout mask");
        x.Backend.Dropout(x.Buffer, p, stream, y.Buffer, mask.Buffer);
        if (Tape.ShouldRecord(x))
        {
            Tape.Record(new DropoutNode(x, mask), y);
        }
        else
        {
            mask.ReleaseIfUnowned();
        }

        return y;
    }

    public static double CheckProbability(double p) =>
        p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout: p must be in [0, 1], got {p}.");

    private sealed class DropoutNode(Tensor x, Tensor mask) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => "Dropout";

        public override void Backward(Tensor g) => Backprop.Accumulate(x, g * mask);
    }
}
