using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TensorGrad.Nn;
using TensorGrad.Onnx;

namespace TensorGrad.Tests.Onnx;

/// <summary>Models exported to ONNX give ONNX Runtime's outputs equal to TensorGrad's eval-mode outputs, at two batch sizes through one file.</summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public static TheoryData<string> Layers => ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "gelu_tanh", "silu", "softplus", "softplus_beta", "softmax", "log_softmax", "dropout", "identity", "layer_norm", "layer_norm_no_affine", "batch_norm", "residual"];

    public void Dispose() => temp.Dispose();

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_exportable_layer_runs_in_onnx_runtime_as_in_tensorgrad(string layer)
    {
        Init.ManualSeed(3);
        var model = new Sequential(new Linear(6, 8), Layer(layer), new Linear(8, 5));
        Warm(model, 6);
        AssertRoundTrip(model, 6);
    }

    [Fact]
    public void The_mnist_mlp_with_normalization_and_dropout_round_trips()
    {
        Init.ManualSeed(4);
        var model = new Sequential(
            new Flatten(),
            new Linear(784, 256), new BatchNorm1d(256), new ReLU(), new Dropout(0.2),
            new Linear(256, 128), new LayerNorm(128), new GELU(), new Dropout(0.2),
            new Linear(128, 10));
        Warm(model, 1, 28, 28);
        AssertRoundTrip(model, 1, 28, 28);
    }

    [Fact]
    public void A_cnn_with_every_convolution_and_pooling_setting_round_trips()
    {
        Init.ManualSeed(7);
        var model = new Sequential(
            new Unflatten(1, 1, 12, 12),
            new Conv2d(1, 4, 3, padding: "same"), new ReLU(), new MaxPool2d(3, stride: 2, padding: 1),
            new Conv2d(4, 6, (2, 3), stride: (1, 2), padding: (1, 0), dilation: (2, 1), groups: 2), new ReLU(),
            new AvgPool2d(2, padding: 1), new Conv2d(6, 6, 1), new AdaptiveAvgPool2d(1),
            new Flatten(), new Linear(6, 3));
        Warm(model, 144);
        AssertRoundTrip(model, 144);
    }

    [Fact]
    public void The_file_keeps_the_state_dictionary_names_and_a_dynamic_batch()
    {
        var model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Residual(new Sequential(new LayerNorm(4), new Linear(4, 4))));
        var proto = OnnxExport.Build(model, Tensor.Zeros(2, 3));

        var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
        foreach (string name in model.StateDict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
        {
            Assert.Contains(name, initializers);
        }

        Assert.Equal("batch", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("batch", proto.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(17, proto.OpsetImport[0].Version);
    }

    [Fact]
    public void A_module_without_a_mapping_is_named_in_the_error()
    {
        var model = new Sequential(new Linear(2, 2), new Custom());
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.Save(model, Tensor.Zeros(1, 2), temp.PathOf("custom.onnx")));

        Assert.Contains("'1'", error.Message);
        Assert.Contains("Custom", error.Message);
        Assert.False(File.Exists(temp.PathOf("custom.onnx")));
    }

    [Fact]
    public void Batch_norm_without_running_statistics_is_refused()
    {
        var model = new Sequential(new Linear(2, 3), new BatchNorm1d(3, trackRunningStats: false));
        Assert.Contains("running statistics", Assert.Throws<NotSupportedException>(() => OnnxExport.Build(model, Tensor.Zeros(2, 2))).Message);
    }

    private static Module Layer(string name) => name switch
    {
        "relu" => new ReLU(),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "leaky_relu" => new LeakyReLU(0.2),
        "elu" => new ELU(0.7),
        "gelu" => new GELU(),
        "gelu_tanh" => new GELU("tanh"),
        "silu" => new SiLU(),
        "softplus" => new Nn.Softplus(),
        "softplus_beta" => new Nn.Softplus(2),
        "softmax" => new Nn.Softmax(1),
        "log_softmax" => new LogSoftmax(-1),
        "dropout" => new Dropout(0.5),
        "identity" => new Identity(),
        "layer_norm" => new LayerNorm(8),
        "layer_norm_no_affine" => new LayerNorm(8, elementwiseAffine: false),
        "batch_norm" => new BatchNorm1d(8),
        "residual" => new Residual(new Sequential(new LayerNorm(8), new Linear(8, 8), new Tanh())),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown layer"),
    };

    /// <summary>
    /// Random biases and normalization scales, and a few training-mode passes, so BatchNorm's
    /// running statistics and the affine parameters are not their initial values.
    /// </summary>
    private static void Warm(Module model, params int[] sample)
    {
        var random = new Random(5);
        foreach (var parameter in model.Parameters().Where(p => p.Rank == 1))
        {
            parameter.CopyFrom(Tensor.Rand(parameter.Shape, random, -0.5, 1.5));
        }

        model.Train();
        for (int i = 0; i < 3; i++)
        {
            using var tape = Tape.Begin(recordGradients: false);
            model.Forward(Tensor.Randn(new Shape([16, .. sample]), random));
        }
    }

    private void AssertRoundTrip(Module model, params int[] sample)
    {
        string path = temp.PathOf("model.onnx");
        OnnxExport.Save(model, Tensor.Zeros(new Shape([3, .. sample])), path);
        model.Eval();
        using var session = new InferenceSession(path);
        var random = new Random(6);
        foreach (int batch in new[] { 1, 7 })
        {
            var x = Tensor.Randn(new Shape([batch, .. sample]), random);
            float[] expected;
            using (Tape.Begin(recordGradients: false))
            {
                expected = model.Forward(x).ToArray();
            }

            var input = new DenseTensor<float>(x.ToArray(), [batch, .. sample]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
            var actual = results.Single().AsTensor<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"batch {batch}, element {i}: TensorGrad {expected[i]}, ONNX Runtime {actual[i]}");
            }
        }
    }

    private sealed class Custom : Module
    {
        protected override Tensor ForwardCore(Tensor input) => input;
    }
}
