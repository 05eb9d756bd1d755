using System.Collections;
using System.Globalization;

namespace TensorGrad.Nn;

/// <summary>
/// A chain of modules applied in order; children are named "0", "1", ... so parameters are
/// "0.weight", "0.bias", ... as in PyTorch. Supports collection initializers:
/// <c>new Sequential { new Linear(4, 8), new ReLU() }</c>. A <see cref="Linear"/> followed by a
/// <see cref="ReLU"/> runs as one fused op (same values and gradients) unless a forward hook
/// watches either of them. A <see cref="ReLU"/> followed by a <see cref="MaxPool2d"/> runs as the
/// pooling, then the ReLU of the pooled tensor, unless a forward hook watches either: ReLU never
/// decreases, so the maximum of the ReLUs is the ReLU of the maximum and the gradient reaches
/// the same element, while ReLU reads and writes only the pooled elements (a quarter for 2×2
/// windows). A zero can come out with the other sign (ReLU keeps -0).
/// </summary>
public sealed class Sequential : Module, IReadOnlyList<Module>
{
    private readonly List<Module> layers = [];

    /// <summary>Creates the chain from <paramref name="layers"/>, in order.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>Number of layers.</summary>
    public int Count => layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => layers[index];

    /// <summary>Appends <paramref name="layer"/> to the chain.</summary>
    public void Add(Module layer)
    {
        layers.Add(RegisterModule(layers.Count.ToString(CultureInfo.InvariantCulture), layer));
    }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            // A Linear and the ReLU after it run as one op, unless a hook watches either output.
            if (layers[i] is Linear { HasForwardHooks: false } linear && i + 1 < layers.Count && layers[i + 1] is ReLU { HasForwardHooks: false })
            {
                x = linear.ForwardRelu(x);
                i++;
            }
            else if (layers[i] is ReLU { HasForwardHooks: false } relu && i + 1 < layers.Count && layers[i + 1] is MaxPool2d { HasForwardHooks: false } pool)
            {
                // Max pooling commutes with ReLU; pooling first leaves ReLU the smaller tensor.
                x = relu.Forward(pool.Forward(x));
                i++;
            }
            else
            {
                x = layers[i].Forward(x);
            }
        }

        return x;
    }

    /// <inheritdoc />
    public IEnumerator<Module> GetEnumerator() => layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
