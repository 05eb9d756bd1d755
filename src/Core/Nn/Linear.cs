using TensorGrad.Autograd.Ops;

namespace TensorGrad.Nn;

/// <summary>
/// Fully connected layer <c>y = x·Wᵀ + b</c> with weight W [out, in] and bias b [out], laid out
/// and initialized as PyTorch's <c>nn.Linear</c>: W ~ Kaiming-uniform with a = √5 and
/// b ~ U(-1/√in, 1/√in). The input is [..., in]; leading dimensions are kept.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer with PyTorch's default initialization.</summary>
    /// <param name="inFeatures">Size of each input row, &gt; 0.</param>
    /// <param name="outFeatures">Size of each output row, &gt; 0.</param>
    /// <param name="device">Where the parameters live (default: the CPU).</param>
    /// <param name="bias">Whether the layer adds a learned bias.</param>
    /// <param name="dtype">Parameter element type.</param>
    /// <param name="seed">Seed for the weight (the bias uses seed + 1); null draws from <see cref="Init"/>'s default generator.</param>
    public Linear(int inFeatures, int outFeatures, Device? device = null, bool bias = true, DType dtype = DType.Float32, int? seed = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
        {
            throw new ArgumentOutOfRangeException(inFeatures <= 0 ? nameof(inFeatures) : nameof(outFeatures), $"Linear({inFeatures}, {outFeatures}): feature counts must be > 0.");
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Zeros([outFeatures, inFeatures], device, dtype));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5), seed: seed);
        if (bias)
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            Bias = RegisterParameter("bias", Tensor.Zeros([outFeatures], device, dtype));
            Init.Uniform(Bias, -bound, bound, seed is { } s ? unchecked(s + 1) : null);
        }
    }

    /// <summary>Size of each input row.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output row.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null for a layer without bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Apply(input, relu: false);

    /// <summary>This layer and a ReLU after it as one op: what <see cref="Sequential"/> runs for a Linear, ReLU pair that no hook watches.</summary>
    internal Tensor ForwardRelu(Tensor input) => Apply(input, relu: true);

    private Tensor Apply(Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[input.Rank - 1] != InFeatures)
        {
            throw new ArgumentException($"Linear(in={InFeatures}, out={OutFeatures}): the input is {input.Shape} on {input.Device}; its last dimension must be {InFeatures}.", nameof(input));
        }

        var rows = input.Rank == 2 ? input : input.Reshape(-1, InFeatures);
        var y = LinearOp.Forward(rows, Weight, Bias, relu);

        if (input.Rank == 2)
        {
            return y;
        }

        int[] shape = [.. input.Shape];
        shape[^1] = OutFeatures;
        return y.Reshape(shape);
    }

    /// <inheritdoc />
    protected override string Describe() => $"in={InFeatures}, out={OutFeatures}, bias={Bias is not null}";
}
