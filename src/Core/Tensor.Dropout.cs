using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Dropout.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Inverted dropout (PyTorch's dropout in training): each element is zeroed with probability
    /// <paramref name="p"/> and the rest are scaled by 1 / (1 - p), so the expectation is kept.
    /// The mask comes from <paramref name="stream"/> (Philox), the same on every backend for the
    /// same stream position. p = 0 returns this tensor; p = 1 gives zeros.
    /// </summary>
    /// <param name="p">The probability of zeroing an element, in [0, 1].</param>
    /// <param name="stream">The random stream the mask is drawn from; it advances by the tensor's size.</param>
    public Tensor Dropout(double p, RandomStream stream) => DropoutOp.Forward(this, p, stream);
}
