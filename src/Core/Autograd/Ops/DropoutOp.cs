using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>Inverted dropout: a mask drawn by the backend from a Philox stream, then a product (whose gradient is g·mask).</summary>
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

        var mask = Tensor.Result(x.Backend, x.Shape, x.DType, "Dropout mask");
        x.Backend.DropoutMask(mask.Buffer, p, stream);
        return x * mask;
    }

    public static double CheckProbability(double p) =>
        p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout: p must be in [0, 1], got {p}.");
}
