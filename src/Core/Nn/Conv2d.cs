using System.Globalization;

namespace TensorGrad.Nn;

/// <summary>
/// 2-D convolution over [batch, channels, height, width] input, laid out and initialized as
/// PyTorch's <c>nn.Conv2d</c>: weight [out, in/groups, kernelH, kernelW] ~ Kaiming-uniform with
/// a = √5 and bias [out] ~ U(-1/√fanIn, 1/√fanIn), fanIn = in/groups·kernelH·kernelW; state-dict
/// names <c>weight</c> and <c>bias</c>. Only zero padding (PyTorch's default padding_mode).
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer with PyTorch's default initialization.</summary>
    /// <param name="inChannels">Input channels, a multiple of <paramref name="groups"/>.</param>
    /// <param name="outChannels">Output channels, a multiple of <paramref name="groups"/>.</param>
    /// <param name="kernelSize">The kernel: an int or (height, width).</param>
    /// <param name="stride">Step between windows (default 1).</param>
    /// <param name="padding">Zero padding on each side, or "same" (default 0).</param>
    /// <param name="dilation">Spacing between kernel elements (default 1).</param>
    /// <param name="groups">Channel groups (default 1; depthwise when equal to the channel counts).</param>
    /// <param name="bias">Whether the layer adds a learned bias per output channel.</param>
    /// <param name="device">Where the parameters live (default: the CPU).</param>
    /// <param name="dtype">Parameter element type.</param>
    /// <param name="seed">Seed for the weight (the bias uses seed + 1); null draws from <see cref="Init"/>'s default generator.</param>
    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Padding2d? padding = null, Size2d? dilation = null, int groups = 1, bool bias = true, Device? device = null, DType dtype = DType.Float32, int? seed = null)
    {
        string signature = $"Conv2d({inChannels}, {outChannels}, kernel_size={kernelSize}, groups={groups})";
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.Height <= 0 || kernelSize.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"{signature}: channel counts and kernel sizes must be > 0.");
        }

        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"{signature}: groups must be positive and divide both channel counts.", nameof(groups));
        }

        (InChannels, OutChannels, KernelSize, Groups) = (inChannels, outChannels, kernelSize, groups);
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        Dilation = dilation ?? 1;
        Weight = RegisterParameter("weight", Tensor.Zeros([outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width], device, dtype));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5), seed: seed);
        if (bias)
        {
            double bound = 1 / Math.Sqrt(Init.Fans(Weight.Shape).FanIn);
            Bias = RegisterParameter("bias", Tensor.Zeros([outChannels], device, dtype));
            Init.Uniform(Bias, -bound, bound, seed is { } s ? unchecked(s + 1) : null);
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>The kernel's height and width.</summary>
    public Size2d KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public Size2d Stride { get; }

    /// <summary>Zero padding on each side, or "same".</summary>
    public Padding2d Padding { get; }

    /// <summary>Spacing between kernel elements.</summary>
    public Size2d Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The weight [out, in/groups, kernelH, kernelW].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null for a layer without bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Conv2d(Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc />
    protected override string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, groups={Groups}, bias={Bias is not null}");
}
