using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>
/// 2-D max and average pooling as one op each: one backend kernel forward (max pooling keeps the
/// window position of each maximum for the backward), one backward.
/// </summary>
internal static class PoolOp
{
    public static Tensor Forward(PoolKind kind, Tensor x, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation)
    {
        ArgumentNullException.ThrowIfNull(x);
        string name = kind == PoolKind.Max ? "MaxPool2d" : "AvgPool2d";
        if (x.Rank != 4)
        {
            throw new ArgumentException($"{name}: the input must be 4-D [batch, channels, height, width], got {x.Shape} on {x.Device}.");
        }

        if (padding.Height < 0 || padding.Width < 0 || 2 * padding.Height > kernel.Height || 2 * padding.Width > kernel.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), $"{name}: padding {padding} must be between 0 and half the kernel {kernel} (input {x.Shape} on {x.Device}), as in PyTorch.");
        }

        var g = ConvolutionOp.Create(name, x.Shape, x.Shape[1], 1, kernel.Height, kernel.Width, stride, Padding2d.FromSize2d(padding), dilation, x.Device);
        var backend = x.Backend;
        var y = Tensor.Result(backend, Shape.Adopt(g.Batch, g.Channels, g.OutHeight, g.OutWidth), x.DType, name);
        bool record = Tape.ShouldRecord(x);
        var indices = record && kind == PoolKind.Max ? Tensor.Result(backend, y.Shape, x.DType, name + " indices") : null;
        backend.Pool2d(kind, x.Buffer, g, y.Buffer, indices?.Buffer);
        if (record)
        {
            Tape.Record(new PoolNode(kind, name, x, indices, g), y);
        }

        return y;
    }

    private sealed class PoolNode(PoolKind kind, string name, Tensor x, Tensor? indices, ConvGeometry g) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [x];

        public override string Name => name;

        public override void Backward(Tensor gradY)
        {
            var gradX = Tensor.Result(gradY.Backend, x.Shape, x.DType, name + " backward");
            gradY.Backend.Pool2dBackward(kind, gradY.Buffer, indices?.Buffer, g, gradX.Buffer);
            Backprop.Accumulate(x, gradX);
        }
    }
}
