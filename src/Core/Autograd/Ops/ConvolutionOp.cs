using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>
/// 2-D convolution as one op: the input checked and its geometry derived here, one backend kernel
/// forward, one backward for the gradients that are needed.
/// </summary>
internal static class ConvolutionOp
{
    private const string Name = "Conv2d";

    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias, Size2d stride, Padding2d padding, Size2d dilation, int groups)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        var g = Geometry(x, weight, bias, stride, padding, dilation, groups);
        var backend = x.Backend;
        var y = Tensor.Result(backend, Shape.Adopt(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), x.DType, Name);
        backend.Conv2d(x.Buffer, weight.Buffer, bias?.Buffer, g, y.Buffer);
        if (Tape.ShouldRecord(x) || Tape.ShouldRecord(weight) || (bias is not null && Tape.ShouldRecord(bias)))
        {
            Tape.Record(new Conv2dNode(x, weight, bias, g), y);
        }

        return y;
    }

    /// <summary>Checks the shapes and settings and derives the geometry; errors name the shapes and the device.</summary>
    private static ConvGeometry Geometry(Tensor x, Tensor weight, Tensor? bias, Size2d stride, Padding2d padding, Size2d dilation, int groups)
    {
        OpChecks.Parameters(Name, x, weight, bias);
        if (x.Rank != 4)
        {
            throw new ArgumentException($"{Name}: the input must be 4-D [batch, channels, height, width], got {x.Shape} on {x.Device}; add a batch dimension with Reshape(1, ...) for one image.");
        }

        OpChecks.Rank(Name, weight, 4, "the weight [out, in/groups, kernelH, kernelW]");
        int channels = x.Shape[1], outs = weight.Shape[0];
        if (groups <= 0 || channels % groups != 0 || outs % groups != 0)
        {
            throw new ArgumentException($"{Name}: groups = {groups} must be positive and divide the input channels ({channels}, input {x.Shape}) and the output channels ({outs}, weight {weight.Shape}) on {x.Device}.");
        }

        if (weight.Shape[1] * groups != channels)
        {
            throw new ArgumentException($"{Name}: the input {x.Shape} has {channels} channels, but the weight {weight.Shape} with groups = {groups} expects {weight.Shape[1] * groups} on {x.Device}.");
        }

        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outs))
        {
            throw new ArgumentException($"{Name}: the bias must be [{outs}] for the weight {weight.Shape}, got {bias.Shape} on {x.Device}.");
        }

        return Create(Name, x.Shape, outs, groups, weight.Shape[2], weight.Shape[3], stride, padding, dilation, x.Device);
    }

    /// <summary>
    /// The geometry of a window of <paramref name="kernelH"/>×<paramref name="kernelW"/> over a
    /// 4-D input, with the checks convolution and pooling share (positive strides and dilations,
    /// non-negative padding, a kernel that fits the padded input).
    /// </summary>
    public static ConvGeometry Create(string op, Shape input, int outChannels, int groups, int kernelH, int kernelW, Size2d stride, Padding2d padding, Size2d dilation, Device device)
    {
        if (stride.Height <= 0 || stride.Width <= 0 || dilation.Height <= 0 || dilation.Width <= 0 || kernelH <= 0 || kernelW <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: kernel ({kernelH}, {kernelW}), stride {stride} and dilation {dilation} must be positive (input {input} on {device}).");
        }

        if (padding.IsSame && (stride.Height != 1 || stride.Width != 1))
        {
            throw new ArgumentException($"{op}: padding \"same\" needs stride 1, got stride {stride} (input {input} on {device}), as in PyTorch.", nameof(padding));
        }

        if (padding.Size.Height < 0 || padding.Size.Width < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), $"{op}: padding {padding} must be non-negative (input {input} on {device}).");
        }

        int spanH = (dilation.Height * (kernelH - 1)) + 1, spanW = (dilation.Width * (kernelW - 1)) + 1;
        var (beforeH, afterH) = padding.IsSame ? ((spanH - 1) / 2, spanH - 1 - ((spanH - 1) / 2)) : (padding.Size.Height, padding.Size.Height);
        var (beforeW, afterW) = padding.IsSame ? ((spanW - 1) / 2, spanW - 1 - ((spanW - 1) / 2)) : (padding.Size.Width, padding.Size.Width);
        int height = input[2], width = input[3];
        if (spanH > height + beforeH + afterH || spanW > width + beforeW + afterW)
        {
            throw new ArgumentException($"{op}: the kernel ({kernelH}, {kernelW}) with dilation {dilation} spans {spanH}×{spanW}, larger than the padded input {height + beforeH + afterH}×{width + beforeW + afterW} (input {input}, padding {padding}) on {device}.");
        }

        int outH = ConvGeometry.OutputLength(height, beforeH, afterH, kernelH, stride.Height, dilation.Height);
        int outW = ConvGeometry.OutputLength(width, beforeW, afterW, kernelW, stride.Width, dilation.Width);
        _ = checked((long)input[0] * outChannels * outH * outW * Math.Max(1L, (long)(input[1] / groups) * kernelH * kernelW));
        return new ConvGeometry(input[0], input[1], height, width, outChannels, groups, kernelH, kernelW, stride.Height, stride.Width, beforeH, beforeW, dilation.Height, dilation.Width, outH, outW);
    }

    private sealed class Conv2dNode(Tensor x, Tensor weight, Tensor? bias, ConvGeometry g) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => AffineGradients.Inputs(x, weight, bias);

        public override string Name => ConvolutionOp.Name;

        public override void Backward(Tensor gradY)
        {
            var backend = gradY.Backend;
            const string name = ConvolutionOp.Name + " backward";
            var gradX = x.RequiresGrad ? Tensor.Result(backend, x.Shape, x.DType, name) : null;
            var gradWeight = weight.RequiresGrad ? Tensor.Result(backend, weight.Shape, weight.DType, name) : null;
            var gradBias = bias is { RequiresGrad: true } ? Tensor.Result(backend, bias.Shape, bias.DType, name) : null;
            backend.Conv2dBackward(gradY.Buffer, x.Buffer, weight.Buffer, g, gradX?.Buffer, gradWeight?.Buffer, gradBias?.Buffer);
            if (gradX is not null)
            {
                Backprop.Accumulate(x, gradX);
            }

            if (gradWeight is not null)
            {
                Backprop.Accumulate(weight, gradWeight);
            }

            if (gradBias is not null)
            {
                Backprop.Accumulate(bias!, gradBias);
            }
        }
    }
}
