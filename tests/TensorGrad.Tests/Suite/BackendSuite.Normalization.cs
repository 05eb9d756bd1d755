using TensorGrad.Diagnostics;
using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>LayerNorm and BatchNorm1d against PyTorch 1.13's values, their gradients, buffers and errors.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void Batch_norm_trains_and_evaluates_as_pytorch_with_running_statistics_after_three_steps()
    {
        var bn = new BatchNorm1d(3, device: Device);
        bn.Weight!.CopyFrom(T([1, 2, 0.5f], 3));
        bn.Bias!.CopyFrom(T([0, -1, 0.25f], 3));
        float[] y = [];
        for (int k = 0; k < 3; k++)
        {
            Recorded(() => y = bn.Forward(BatchNormBatch(k)).ToArray());
        }

        AssertClose([-1.2978678, -3.5862558, -0.39362, -0.4893601, -1.9874794, 0.000433, 0.4042537, -0.2006118, 0.4470265, 1.3829737, 1.7743471, 0.9461603], y);
        AssertClose([0.29987502, 0.32887501, 0.38497502], bn.RunningMean!.ToArray());
        AssertClose([1.02536571, 0.96023244, 0.90413249], bn.RunningVar!.ToArray());
        Assert.Equal([3.0], bn.NumBatchesTracked!.ToDoubleArray());

        bn.Eval();
        Recorded(() => AssertClose([-0.2961411, -1.365081, 0.2579007, 0.0495009, -0.854835, 0.3367763, 0.4938977, -0.1404908, 0.4682357, 1.0370494, 0.777952, 0.6522788], bn.Forward(BatchNormBatch(0)).ToArray()));
        AssertClose([0.29987502, 0.32887501, 0.38497502], bn.RunningMean!.ToArray());
    }

    [Fact]
    public void Batch_norm_normalizes_three_dimensional_input_over_batch_and_length()
    {
        var bn = new BatchNorm1d(3, device: Device);
        var x = T([.. Enumerable.Range(0, 12).Select(j => (float)((((j / 6 * 6) + (j / 2 % 3 * 2) + (j % 2)) * 0.1) + (((j / 6) + (j / 2 % 3) + (j % 2)) % 3 * 0.2)))], 2, 3, 2);

        Recorded(() => AssertClose([-1.2874174, -0.5851898, -1.3719079, -0.3429771, -0.3429769, -1.3719079, 0.5851896, 1.2874173, 1.3719079, 0.3429768, 0.342977, 1.3719078], bn.Forward(x).ToArray(), 2e-5));
        AssertClose([0.055, 0.08000001, 0.09], bn.RunningMean!.ToArray());
        AssertClose([0.92433333, 0.91133332, 0.91133332], bn.RunningVar!.ToArray());
    }

    [Fact]
    public void Layer_norm_matches_pytorch_including_a_constant_row()
    {
        var ln = new LayerNorm(4, device: Device);
        ln.Weight!.CopyFrom(T([1, 0.5f, -1, 2], 4));
        ln.Bias!.CopyFrom(T([0.1f, 0.2f, 0.3f, 0.4f], 4));

        Recorded(() => AssertClose(
            [-0.9257545, -0.1263765, 0.2067496, 3.5705142, 0.1, 0.2, 0.3, 0.4, -1.0766932, 0.2, 0.6922311, 3.5378485],
            ln.Forward(T([1, 2, 4, 8, 3, 3, 3, 3, -1, 0.5f, 0, 2.5f], 3, 4)).ToArray()));
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(5, 17)]
    public void Normalization_gradients_match_finite_differences_with_odd_sizes_and_a_constant_row(int rows, int features)
    {
        var r = new Random(rows + features);
        var values = Tensor.Rand(new Shape(rows + 1, features), r, -2, 2, Device, DType.Float64).ToDoubleArray();
        Array.Fill(values, 0.75, 0, features); // a constant row: only eps keeps its variance from 0
        var x = T64(values, rows + 1, features);
        x.RequiresGrad = true;
        var ln = new LayerNorm(features, device: Device, dtype: DType.Float64);
        ln.Weight!.CopyFrom(Tensor.Rand(new Shape(features), r, 0.5, 1.5, Device, DType.Float64));
        ln.Bias!.CopyFrom(Tensor.Rand(new Shape(features), r, -0.5, 0.5, Device, DType.Float64));
        AssertGradients(t => (ln.Forward(t[0]) * t[0]).Sum(), x);
        AssertGradients(t => ln.Forward(x) * t[0], ln.Weight);
        AssertGradients(t => ln.Forward(x) * (t[0] + 1), ln.Bias!);
        var planes = new LayerNorm(new Shape(2, features), device: Device, dtype: DType.Float64);
        planes.Weight!.CopyFrom(Tensor.Rand(new Shape(2, features), r, 0.5, 1.5, Device, DType.Float64));
        AssertGradients(t => (planes.Forward(t[0]) * t[0]).Sum(), Param64(r, -1, 1, 3, 2, features));
        AssertGradients(t => planes.Forward(x.Reshape(-1, 2, features).Detach()) * t[0], planes.Weight);

        var bn = new BatchNorm1d(features, device: Device, dtype: DType.Float64);
        bn.Weight!.CopyFrom(Tensor.Rand(new Shape(features), r, 0.5, 1.5, Device, DType.Float64));
        AssertGradients(t => (bn.Forward(t[0]) * t[0]).Sum(), x);
        var sequence = Param64(r, -1, 1, 3, features, 5);
        AssertGradients(t => (bn.Forward(t[0]) * t[0]).Sum(), sequence);
    }

    [Fact]
    public void Batch_norm_buffers_are_state_but_not_parameters_and_round_trip_through_a_checkpoint()
    {
        var model = new Sequential(new Linear(3, 3, device: Device, seed: 1), new BatchNorm1d(3, device: Device));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"], model.StateDict().Keys);
        Assert.Equal(4, model.Parameters().Count);
        Assert.Equal(["1.running_mean", "1.running_var", "1.num_batches_tracked"], model.NamedBuffers().Select(b => b.Name));
        Recorded(() => model.Forward(BatchNormBatch(1)));

        using var temp = new TempDirectory();
        string path = temp.PathOf("bn.safetensors");
        IO.Checkpoint.Save(path, model);
        var restored = new Sequential(new Linear(3, 3, device: Device, seed: 2), new BatchNorm1d(3, device: Device));
        IO.Checkpoint.Load(path, restored);

        var original = (BatchNorm1d)model[1];
        var loaded = (BatchNorm1d)restored[1];
        Assert.Equal(original.RunningMean!.ToArray(), loaded.RunningMean!.ToArray());
        Assert.Equal(original.RunningVar!.ToArray(), loaded.RunningVar!.ToArray());
        Assert.Equal([1.0], loaded.NumBatchesTracked!.ToDoubleArray());
        model.Eval();
        restored.Eval();
        Recorded(() => Assert.Equal(model.Forward(BatchNormBatch(2)).ToArray(), restored.Forward(BatchNormBatch(2)).ToArray()));
    }

    [Fact]
    public void Normalization_layers_refuse_bad_input_naming_the_layer_and_shapes()
    {
        var bn = new BatchNorm1d(3, device: Device);
        var single = Assert.Throws<ArgumentException>(() => bn.Forward(T([1, 2, 3], 1, 3)));
        Assert.Contains("BatchNorm1d(3)", single.Message);
        Assert.Contains("[1, 3]", single.Message);
        Assert.Contains("[N, 3]", Assert.Throws<ArgumentException>(() => bn.Forward(T([1, 2, 3, 4], 2, 2))).Message);
        bn.Eval();
        Recorded(() => Assert.Equal(3, bn.Forward(T([1, 2, 3], 1, 3)).Size));

        var ln = new LayerNorm(new Shape(2, 3), device: Device);
        var mismatch = Assert.Throws<ArgumentException>(() => ln.Forward(T(new float[8], 2, 4)));
        Assert.Contains("LayerNorm([2, 3])", mismatch.Message);
        Assert.Contains("[2, 4]", mismatch.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(3, momentum: 1.5));
    }

    [Fact]
    public void The_gradient_monitor_watches_normalized_residual_networks_layer_by_layer()
    {
        var model = new Sequential(
            new Linear(3, 4, device: Device, seed: 1),
            new BatchNorm1d(4, device: Device),
            new Residual(new Sequential(new LayerNorm(4, device: Device), new ReLU(), new Linear(4, 4, device: Device, seed: 2))),
            new Linear(4, 2, device: Device, seed: 3));
        using var monitor = new GradientMonitor(model);
        Recorded(() => Loss.CrossEntropy(model.Forward(BatchNormBatch(0)), T([0, 1, 1, 0], 4)).Backward());
        var record = monitor.Record();

        Assert.Equal(["0", "1", "2.block.0", "2.block.2", "3"], record.Layers.Select(l => l.Name));
        Assert.All(record.Layers, l => Assert.True(l.GradientNorm > 0 && double.IsFinite(l.GradientNorm), $"{l.Name}: {l.GradientNorm}"));
        Assert.Equal("2.block.1", Assert.Single(record.Activations).Name);
    }

    /// <summary>Batch k of the BatchNorm example: x[i, c] = 0.1(k + 1)(3i + c) + 0.05(c - i)².</summary>
    private Tensor BatchNormBatch(int k) =>
        T([.. Enumerable.Range(0, 12).Select(j => (float)((0.1 * (k + 1) * j) + (0.05 * Math.Pow((j % 3) - (j / 3), 2))))], 4, 3);
}
