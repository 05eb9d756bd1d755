using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Convolution and pooling over NCHW images.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// 2-D convolution (PyTorch's conv2d, a cross-correlation) of this [batch, channels, height,
    /// width] tensor with <paramref name="weight"/> [out, channels/groups, kernelH, kernelW] and an
    /// optional <paramref name="bias"/> [out]; the result is [batch, out, outH, outW].
    /// </summary>
    /// <param name="weight">The filters.</param>
    /// <param name="bias">Added to each output channel, or null.</param>
    /// <param name="stride">Step between windows (default 1).</param>
    /// <param name="padding">Zeros added around the input, or <see cref="Padding2d.Same"/> (default 0).</param>
    /// <param name="dilation">Spacing between kernel elements (default 1).</param>
    /// <param name="groups">Channel groups that see only their own inputs (default 1; depthwise: the channel count).</param>
    public Tensor Conv2d(Tensor weight, Tensor? bias = null, Size2d? stride = null, Padding2d? padding = null, Size2d? dilation = null, int groups = 1) =>
        ConvolutionOp.Forward(this, weight, bias, stride ?? 1, padding ?? 0, dilation ?? 1, groups);

    /// <summary>
    /// The maximum of each window of each channel (PyTorch's max_pool2d; padding counts as -∞ and
    /// may be at most half the kernel). The gradient goes to the first maximum of each window.
    /// </summary>
    /// <param name="kernelSize">The window.</param>
    /// <param name="stride">Step between windows (default: the window).</param>
    /// <param name="padding">Padding on each side (default 0).</param>
    /// <param name="dilation">Spacing between window elements (default 1).</param>
    public Tensor MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null) =>
        PoolOp.Forward(PoolKind.Max, this, kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1);

    /// <summary>
    /// The mean of each window of each channel (PyTorch's avg_pool2d with count_include_pad = True:
    /// padded zeros count in the mean).
    /// </summary>
    /// <param name="kernelSize">The window.</param>
    /// <param name="stride">Step between windows (default: the window).</param>
    /// <param name="padding">Zero padding on each side (default 0, at most half the kernel).</param>
    public Tensor AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null) =>
        PoolOp.Forward(PoolKind.Average, this, kernelSize, stride ?? kernelSize, padding ?? 0, 1);

    /// <summary>
    /// Average pooling to an output of <paramref name="outputSize"/> (PyTorch's
    /// adaptive_avg_pool2d): (1, 1) is global average pooling over any input size; other sizes must
    /// divide the input's height and width, giving equal windows.
    /// </summary>
    public Tensor AdaptiveAvgPool2d(Size2d outputSize)
    {
        if (Rank != 4)
        {
            throw new ArgumentException($"AdaptiveAvgPool2d: the input must be 4-D [batch, channels, height, width], got {Shape} on {Device}.");
        }

        int height = Shape[2], width = Shape[3];
        if (outputSize.Height <= 0 || outputSize.Width <= 0 || height % outputSize.Height != 0 || width % outputSize.Width != 0)
        {
            throw new ArgumentException($"AdaptiveAvgPool2d: output size {outputSize} must be positive and divide the input's {height}×{width} (input {Shape} on {Device}); uneven windows are not supported.");
        }

        if (outputSize == new Size2d(1, 1))
        {
            return Reshape(Shape[0], Shape[1], height * width).Mean(2).Reshape(Shape[0], Shape[1], 1, 1);
        }

        var window = new Size2d(height / outputSize.Height, width / outputSize.Width);
        return AvgPool2d(window, window);
    }
}
