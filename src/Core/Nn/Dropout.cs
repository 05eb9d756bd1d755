using System.Globalization;
using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad.Nn;

/// <summary>
/// Inverted dropout (PyTorch's <c>nn.Dropout</c>): in training mode each element is zeroed with
/// probability p and the rest scaled by 1 / (1 - p); in evaluation mode it is the identity. The
/// masks come from the module's own Philox stream, so a seed gives the same masks on every
/// backend, in eager training and in <see cref="KernelGraph"/> replays (each replay draws anew).
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="p">The probability of zeroing an element, in [0, 1] (default 0.5).</param>
    /// <param name="seed">The stream's seed; null draws one from <see cref="Init"/>'s default generator (see <see cref="Init.ManualSeed"/>).</param>
    public Dropout(double p = 0.5, long? seed = null)
    {
        P = DropoutOp.CheckProbability(p);
        Stream = new RandomStream(unchecked((ulong)(seed ?? Init.FromDefaultGenerator(random => random.NextInt64()))));
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>The stream the masks are drawn from.</summary>
    public RandomStream Stream { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => IsTraining ? input.Dropout(P, Stream) : input;

    /// <inheritdoc />
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture, $"p={P}");
}
