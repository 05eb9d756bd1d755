using TensorGrad.Autograd.Ops;

namespace TensorGrad.Nn;

/// <summary>
/// Layer normalization over the last dimensions (PyTorch's <c>nn.LayerNorm</c>): each row of
/// <c>normalizedShape</c> elements is shifted to mean 0 and scaled to variance 1 (the biased
/// variance, with <c>eps</c> added), then, with <c>elementwiseAffine</c>, multiplied by
/// <c>weight</c> (ones at first) and shifted by <c>bias</c> (zeros). Training and evaluation
/// compute the same thing.
/// </summary>
public sealed class LayerNorm : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="normalizedShape">The trailing dimensions normalized together (e.g. [features]).</param>
    /// <param name="eps">Added to the variance (default 1e-5).</param>
    /// <param name="elementwiseAffine">Whether the layer learns a weight and a bias of <paramref name="normalizedShape"/>.</param>
    /// <param name="device">Where the parameters live (default: the CPU).</param>
    /// <param name="dtype">Parameter element type.</param>
    public LayerNorm(Shape normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null, DType dtype = DType.Float32)
    {
        if (normalizedShape.Rank == 0 || normalizedShape.Size == 0)
        {
            throw new ArgumentException($"LayerNorm: normalizedShape must have at least one dimension and no zero dimension, got {normalizedShape}.", nameof(normalizedShape));
        }

        if (!(eps > 0) || !double.IsFinite(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"LayerNorm({normalizedShape}): eps must be a positive finite number.");
        }

        NormalizedShape = normalizedShape;
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(normalizedShape, device, dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedShape, device, dtype));
        }
    }

    /// <summary>Creates the layer over the last dimension of size <paramref name="features"/>.</summary>
    /// <param name="features">The size of the last dimension.</param>
    /// <param name="eps">Added to the variance (default 1e-5).</param>
    /// <param name="elementwiseAffine">Whether the layer learns a weight and a bias.</param>
    /// <param name="device">Where the parameters live (default: the CPU).</param>
    /// <param name="dtype">Parameter element type.</param>
    public LayerNorm(int features, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null, DType dtype = DType.Float32)
        : this(new Shape(features), eps, elementwiseAffine, device, dtype)
    {
    }

    /// <summary>The trailing dimensions normalized together.</summary>
    public Shape NormalizedShape { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The learned scale, or null without elementwise affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>The learned shift, or null without elementwise affine.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int rank = NormalizedShape.Rank;
        if (input.Rank < rank || !input.Shape.Dimensions[^rank..].SequenceEqual(NormalizedShape.Dimensions))
        {
            throw new ArgumentException($"LayerNorm({NormalizedShape}): the input is {input.Shape} on {input.Device}; its last {rank} dimension(s) must be {NormalizedShape}.", nameof(input));
        }

        return LayerNormOp.Forward(input, checked((int)NormalizedShape.Size), Weight, Bias, Eps);
    }

    /// <inheritdoc />
    protected override string Describe() =>
        FormattableString.Invariant($"{NormalizedShape}, eps={Eps}, elementwise_affine={(Weight is not null ? "True" : "False")}");
}
