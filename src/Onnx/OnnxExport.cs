using Google.Protobuf;
using Onnx;
using TensorGrad.IO;
using TensorGrad.Nn;

namespace TensorGrad.Onnx;

/// <summary>
/// Exports TensorGrad models to ONNX, as evaluated in <see cref="Module.Eval"/> mode: Sequential
/// models (nested too) of Linear, LayerNorm, BatchNorm1d (with running statistics), Dropout
/// (identity), Identity, Flatten, Residual, ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh,
/// Softplus, Softmax and LogSoftmax. The first input dimension is the dynamic "batch"; weights
/// are initializers named as the state dictionary ("0.weight").
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX IR version written (ONNX 1.13, for opset 17).</summary>
    public const long IrVersion = 8;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically. The model runs once on
    /// <paramref name="sampleInput"/> in evaluation mode (its mode is restored) to find the output shape.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sampleInput">An input of the shape the model takes (any batch size).</param>
    /// <param name="path">The .onnx file.</param>
    /// <param name="opset">The ONNX opset, 17 or later (LayerNormalization).</param>
    /// <exception cref="NotSupportedException">A module has no ONNX mapping; the message names it.</exception>
    public static void Save(Module model, Tensor sampleInput, string path, int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(path);
        var proto = Build(model, sampleInput, opset);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="model"/> (see <see cref="Save"/>).</summary>
    public static ModelProto Build(Module model, Tensor sampleInput, int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleInput);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 17);
        if (sampleInput.Rank < 1)
        {
            throw new ArgumentException($"OnnxExport: the sample input must have a batch dimension, got {sampleInput.Shape}.", nameof(sampleInput));
        }

        bool training = model.IsTraining;
        Shape outputShape;
        model.Eval();
        try
        {
            using var tape = Tape.Begin(recordGradients: false);
            outputShape = model.Forward(sampleInput).Shape;
        }
        finally
        {
            model.Train(training);
        }

        var graph = new GraphBuilder(sampleInput.DType);
        graph.Graph.Input.Add(graph.Value("input", sampleInput.Shape));
        string output = ModuleMappings.Add(graph, model, "", "input", sampleInput.Rank);
        graph.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = "output", Input = { output }, Output = { "output" } });
        graph.Graph.Output.Add(graph.Value("output", outputShape));
        var proto = new ModelProto { IrVersion = IrVersion, ProducerName = "TensorGrad", ProducerVersion = typeof(Tensor).Assembly.GetName().Version?.ToString() ?? "", Graph = graph.Graph };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return proto;
    }
}
