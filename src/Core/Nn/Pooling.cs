using System.Globalization;

namespace TensorGrad.Nn;

/// <summary>2-D max pooling (PyTorch's <c>nn.MaxPool2d</c>; stride defaults to the kernel, padding counts as -∞).</summary>
/// <param name="kernelSize">The window: an int or (height, width).</param>
/// <param name="stride">Step between windows (default: the window).</param>
/// <param name="padding">Padding on each side, at most half the window (default 0).</param>
/// <param name="dilation">Spacing between window elements (default 1).</param>
public sealed class MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null) : Module
{
    /// <summary>The window.</summary>
    public Size2d KernelSize { get; } = kernelSize;

    /// <summary>Step between windows.</summary>
    public Size2d Stride { get; } = stride ?? kernelSize;

    /// <summary>Padding on each side.</summary>
    public Size2d Padding { get; } = padding ?? 0;

    /// <summary>Spacing between window elements.</summary>
    public Size2d Dilation { get; } = dilation ?? 1;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.MaxPool2d(KernelSize, Stride, Padding, Dilation);
    }

    /// <inheritdoc />
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture, $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}");
}

/// <summary>2-D average pooling (PyTorch's <c>nn.AvgPool2d</c> with count_include_pad = True; stride defaults to the kernel).</summary>
/// <param name="kernelSize">The window: an int or (height, width).</param>
/// <param name="stride">Step between windows (default: the window).</param>
/// <param name="padding">Zero padding on each side, at most half the window (default 0).</param>
public sealed class AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null) : Module
{
    /// <summary>The window.</summary>
    public Size2d KernelSize { get; } = kernelSize;

    /// <summary>Step between windows.</summary>
    public Size2d Stride { get; } = stride ?? kernelSize;

    /// <summary>Zero padding on each side.</summary>
    public Size2d Padding { get; } = padding ?? 0;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.AvgPool2d(KernelSize, Stride, Padding);
    }

    /// <inheritdoc />
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture, $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}");
}

/// <summary>Average pooling to a fixed output size (PyTorch's <c>nn.AdaptiveAvgPool2d</c>); (1, 1) is global average pooling.</summary>
/// <param name="outputSize">The output's height and width; other than 1 they must divide the input's.</param>
public sealed class AdaptiveAvgPool2d(Size2d outputSize) : Module
{
    /// <summary>The output's height and width.</summary>
    public Size2d OutputSize { get; } = outputSize;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.AdaptiveAvgPool2d(OutputSize);
    }

    /// <inheritdoc />
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture, $"output_size={OutputSize}");
}
