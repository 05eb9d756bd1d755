using Onnx;
using TensorGrad.Nn;
using static TensorGrad.Onnx.GraphBuilder;

namespace TensorGrad.Onnx;

/// <summary>How each module becomes ONNX nodes (in evaluation mode).</summary>
internal static class ModuleMappings
{
    /// <summary>Adds the nodes of <paramref name="module"/> applied to <paramref name="input"/> (of rank <paramref name="rank"/>); returns the output's name.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="module">The module.</param>
    /// <param name="prefix">The module's state-dictionary prefix ("" or "2.block.").</param>
    /// <param name="input">The input value's name.</param>
    /// <param name="rank">The input's rank.</param>
    public static string Add(GraphBuilder graph, Module module, string prefix, string input, int rank)
    {
        string name = prefix.Length == 0 ? module.GetType().Name : prefix.TrimEnd('.');
        switch (module)
        {
            case Sequential sequential:
                for (int i = 0; i < sequential.Count; i++)
                {
                    input = Add(graph, sequential[i], $"{prefix}{i}.", input, rank);
                    rank = sequential[i] switch
                    {
                        Flatten flatten => FlattenedRank(flatten, rank),
                        Unflatten unflatten => rank + unflatten.Sizes.Count - 1,
                        _ => rank,
                    };
                }

                return input;
            case Residual residual:
                return graph.Node("Add", name, [input, Add(graph, residual.Block, prefix + "block.", input, rank)]);
            case Linear linear:
                if (rank != 2)
                {
                    throw Unsupported(module, name, $"a Linear on a rank-{rank} input (ONNX Gemm takes [batch, features])");
                }

                return graph.Node("Gemm", name, [input, graph.Initializer(prefix + "weight", linear.Weight), .. linear.Bias is null ? Array.Empty<string>() : [graph.Initializer(prefix + "bias", linear.Bias)]], Int("transB", 1));
            case LayerNorm norm:
                return graph.Node(
                    "LayerNormalization",
                    name,
                    [input, norm.Weight is null ? graph.Constant(name, Dims(norm.NormalizedShape), Enumerable.Repeat(1.0, (int)norm.NormalizedShape.Size)) : graph.Initializer(prefix + "weight", norm.Weight), .. norm.Bias is null ? Array.Empty<string>() : [graph.Initializer(prefix + "bias", norm.Bias)]],
                    Int("axis", -norm.NormalizedShape.Rank),
                    Float("epsilon", norm.Eps));
            case BatchNorm1d batchNorm:
                if (batchNorm.RunningMean is null)
                {
                    throw Unsupported(module, name, "a BatchNorm1d without running statistics (it normalizes with each batch's statistics, which ONNX's BatchNormalization does not)");
                }

                int c = batchNorm.NumFeatures;
                return graph.Node(
                    "BatchNormalization",
                    name,
                    [
                        input,
                        batchNorm.Weight is null ? graph.Constant(name, [c], Enumerable.Repeat(1.0, c)) : graph.Initializer(prefix + "weight", batchNorm.Weight),
                        batchNorm.Bias is null ? graph.Constant(name, [c], Enumerable.Repeat(0.0, c)) : graph.Initializer(prefix + "bias", batchNorm.Bias),
                        graph.Initializer(prefix + "running_mean", batchNorm.RunningMean),
                        graph.Initializer(prefix + "running_var", batchNorm.RunningVar!),
                    ],
                    Float("epsilon", batchNorm.Eps));
            case Dropout or Identity:
                return graph.Node("Identity", name, [input]);
            case Flatten flatten:
                int start = flatten.StartDim < 0 ? flatten.StartDim + rank : flatten.StartDim;
                int end = flatten.EndDim < 0 ? flatten.EndDim + rank : flatten.EndDim;
                if (end != rank - 1 || start < 1)
                {
                    throw Unsupported(module, name, $"a Flatten of dimensions {flatten.StartDim} to {flatten.EndDim} (ONNX Flatten keeps the dimensions before one axis and merges all after)");
                }

                return graph.Node("Flatten", name, [input], Int("axis", start));
            case Unflatten unflatten:
                if ((unflatten.Dim < 0 ? unflatten.Dim + rank : unflatten.Dim) != rank - 1)
                {
                    throw Unsupported(module, name, $"an Unflatten of dimension {unflatten.Dim} of a rank-{rank} input (only the last dimension is exported, as a Reshape)");
                }

                return graph.Node("Reshape", name, [input, graph.Int64Constant(name, [.. Enumerable.Repeat(0L, rank - 1), .. unflatten.Sizes.Select(s => (long)s)])]);
            case Conv2d conv:
                return graph.Node(
                    "Conv",
                    name,
                    [input, graph.Initializer(prefix + "weight", conv.Weight), .. conv.Bias is null ? Array.Empty<string>() : [graph.Initializer(prefix + "bias", conv.Bias)]],
                    Ints("kernel_shape", conv.KernelSize.Height, conv.KernelSize.Width),
                    Ints("strides", conv.Stride.Height, conv.Stride.Width),
                    Ints("dilations", conv.Dilation.Height, conv.Dilation.Width),
                    Ints("pads", ConvPads(conv)),
                    Int("group", conv.Groups));
            case MaxPool2d pool:
                return graph.Node("MaxPool", name, [input], [.. Window(pool.KernelSize, pool.Stride, pool.Padding), Ints("dilations", pool.Dilation.Height, pool.Dilation.Width)]);
            case AvgPool2d pool:
                return graph.Node("AveragePool", name, [input], [.. Window(pool.KernelSize, pool.Stride, pool.Padding), Int("count_include_pad", 1)]);
            case AdaptiveAvgPool2d adaptive:
                return adaptive.OutputSize == new Size2d(1, 1)
                    ? graph.Node("GlobalAveragePool", name, [input])
                    : throw Unsupported(module, name, $"an AdaptiveAvgPool2d to {adaptive.OutputSize} (only output size 1, as GlobalAveragePool)");
            case ReLU:
                return graph.Node("Relu", name, [input]);
            case Sigmoid:
                return graph.Node("Sigmoid", name, [input]);
            case Tanh:
                return graph.Node("Tanh", name, [input]);
            case LeakyReLU leaky:
                return graph.Node("LeakyRelu", name, [input], Float("alpha", leaky.NegativeSlope));
            case ELU elu:
                return graph.Node("Elu", name, [input], Float("alpha", elu.Alpha));
            case SiLU:
                return graph.Node("Mul", name, [input, graph.Node("Sigmoid", name, [input])]);
            case GELU gelu:
                return Gelu(graph, name, input, gelu.Approximate == "tanh");
            case Nn.Softplus softplus:
                // softplus(βx)/β; ONNX Softplus has no threshold (above it the two differ by under e^-threshold).
                return softplus.Beta == 1
                    ? graph.Node("Softplus", name, [input])
                    : graph.Node("Div", name, [graph.Node("Softplus", name, [graph.Node("Mul", name, [input, graph.Scalar(name, softplus.Beta)])]), graph.Scalar(name, softplus.Beta)]);
            case Nn.Softmax softmax:
                return graph.Node("Softmax", name, [input], Int("axis", softmax.Dim));
            case LogSoftmax logSoftmax:
                return graph.Node("LogSoftmax", name, [input], Int("axis", logSoftmax.Dim));
            default:
                throw Unsupported(module, name, $"{module.GetType().Name}, which has no ONNX mapping");
        }
    }

    /// <summary>GELU from ONNX 17 operators: ½x(1 + erf(x/√2)), or ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    private static string Gelu(GraphBuilder graph, string name, string x, bool tanh)
    {
        string inner = tanh
            ? graph.Node("Tanh", name, [graph.Node("Mul", name, [graph.Node("Add", name, [x, graph.Node("Mul", name, [graph.Node("Mul", name, [graph.Node("Mul", name, [x, x]), x]), graph.Scalar(name, 0.044715)])]), graph.Scalar(name, Math.Sqrt(2 / Math.PI))])])
            : graph.Node("Erf", name, [graph.Node("Mul", name, [x, graph.Scalar(name, 1 / Math.Sqrt(2))])]);
        return graph.Node("Mul", name, [graph.Node("Mul", name, [x, graph.Scalar(name, 0.5)]), graph.Node("Add", name, [inner, graph.Scalar(name, 1)])]);
    }

    /// <summary>A pooling window's kernel_shape, strides and pads (the same padding on both sides).</summary>
    private static AttributeProto[] Window(Size2d kernel, Size2d stride, Size2d padding) =>
    [
        Ints("kernel_shape", kernel.Height, kernel.Width),
        Ints("strides", stride.Height, stride.Width),
        Ints("pads", padding.Height, padding.Width, padding.Height, padding.Width),
    ];

    /// <summary>ONNX's [top, left, bottom, right] padding of a convolution; "same" puts the odd element at the bottom and right, as TensorGrad and PyTorch do.</summary>
    private static long[] ConvPads(Conv2d conv)
    {
        if (!conv.Padding.IsSame)
        {
            var p = conv.Padding.Size;
            return [p.Height, p.Width, p.Height, p.Width];
        }

        int spanH = conv.Dilation.Height * (conv.KernelSize.Height - 1), spanW = conv.Dilation.Width * (conv.KernelSize.Width - 1);
        return [spanH / 2, spanW / 2, spanH - (spanH / 2), spanW - (spanW / 2)];
    }

    private static int FlattenedRank(Flatten flatten, int rank) => (flatten.StartDim < 0 ? flatten.StartDim + rank : flatten.StartDim) + 1;

    private static long[] Dims(Shape shape) => [.. shape.Dimensions.ToArray().Select(d => (long)d)];

    private static NotSupportedException Unsupported(Module module, string name, string what) =>
        new($"OnnxExport: module '{name}' ({module.GetType().Name}) cannot be exported: {what}.");
}
