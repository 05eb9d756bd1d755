using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>The losses beyond MSE, BCE and cross-entropy, against PyTorch 1.13's values (float64).</summary>
public abstract partial class BackendSuite
{
    private static readonly double[] CeLogits = [1, 2, 0.5, 0.1, -1, 2, 3, 0, -2, 0.5, 0.5, 0.5];

    [Fact]
    public void Weighted_label_smoothed_cross_entropy_matches_pytorch_in_every_reduction()
    {
        SkipWithoutFloat64();
        var logits = T64(CeLogits, 4, 3);
        logits.RequiresGrad = true;
        var ids = T64([1, 2, 0, 1], 4);
        var weights = T64([0.5, 2, 1], 3);
        Recorded(() =>
        {
            var mean = Loss.CrossEntropy(logits, ids, labelSmoothing: 0.1, weights);
            mean.Backward();
            Assert.Equal(0.7048520454, mean.ToDoubleArray()[0], 9);
            AssertClose([0.0775477219, -0.1203601585, 0.0428124366, 0.0200216847, -0.004447872, -0.0155738128, 0.0126696066, -0.0072660722, -0.0054035343, 0.1131313131, -0.2232323232, 0.1101010101], logits.Grad!.ToDoubleArray(), 1e-8);
            Assert.Equal(3.8766862499, Loss.CrossEntropy(logits, ids, 0.1, weights, Reduction.Sum).ToDoubleArray()[0], 9);
            AssertClose([0.9567068362, 0.4164808937, 0.3978249667, 2.1056735533], Loss.CrossEntropy(logits, ids, 0.1, weights, Reduction.None).ToDoubleArray(), 1e-8);
            Assert.Equal(0.7066043651, Loss.CrossEntropy(logits, ids, labelSmoothing: 0.2).ToDoubleArray()[0], 9);
        });
    }

    [Fact]
    public void Nll_matches_pytorch_with_and_without_class_weights()
    {
        SkipWithoutFloat64();
        var logits = T64(CeLogits, 4, 3);
        var ids = T64([1, 2, 0, 1], 4);
        Recorded(() =>
        {
            var logP = logits.LogSoftmax(-1);
            Assert.Equal(0.4499376984, Loss.Nll(logP, ids).ToDoubleArray()[0], 9);
            Assert.Equal(0.6064071362, Loss.Nll(logP, ids, T64([0.5, 2, 1], 3)).ToDoubleArray()[0], 9);
            Assert.Equal(Loss.CrossEntropy(logits, ids).ToDoubleArray()[0], Loss.Nll(logP, ids).ToDoubleArray()[0], 12);
        });
    }

    [Fact]
    public void Regression_losses_match_pytorch()
    {
        SkipWithoutFloat64();
        var p = T64([0, 1.5, -2, 0.3, 3], 5);
        var t = T64([0.2, 0, 0, 0.3, -1], 5);
        Recorded(() =>
        {
            Assert.Equal(1.54, Loss.L1(p, t).ToDoubleArray()[0], 12);
            Assert.Equal(1.579, Loss.Huber(p, t, delta: 1.5).ToDoubleArray()[0], 12);
            Assert.Equal(1.358, Loss.SmoothL1(p, t, beta: 0.5).ToDoubleArray()[0], 12);
            Assert.Equal(1.54, Loss.SmoothL1(p, t, beta: 0).ToDoubleArray()[0], 12);
            AssertClose([0.02, 1.125, 1.875, 0, 4.875], Loss.Huber(p, t, 1.5, Reduction.None).ToDoubleArray(), 1e-12);
            Assert.Equal(7.7, Loss.L1(p, t, Reduction.Sum).ToDoubleArray()[0], 12);
        });
    }

    [Fact]
    public void New_loss_gradients_match_finite_differences()
    {
        var r = new Random(21);
        var p = Param64(r, -3, 3, 3, 5);
        var t = Tensor.Rand(new Shape(3, 5), r, -3, 3, Device, DType.Float64);
        var ids = T64([4, 0, 2], 3);
        var weights = Tensor.Rand(new Shape(5), r, 0.5, 2, Device, DType.Float64);
        AssertGradients(x => Loss.L1(x[0], t), p);
        AssertGradients(x => Loss.Huber(x[0], t, 0.7), p);
        AssertGradients(x => Loss.SmoothL1(x[0], t, 2, Reduction.Sum), p);
        AssertGradients(x => Loss.CrossEntropy(x[0], ids, 0.15, weights), p);
        AssertGradients(x => Loss.Nll(x[0].LogSoftmax(-1), ids, weights, Reduction.None), p);
    }

    [Fact]
    public void Class_losses_refuse_bad_ids_weights_and_smoothing_naming_the_loss()
    {
        var logits = T([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Contains("Nll: class id 3", Assert.Throws<ArgumentException>(() => Loss.Nll(logits, T([0, 3], 2))).Message);
        Assert.Contains("[3]", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, T([0, 1], 2), 0.1, T([1, 1], 2))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.CrossEntropy(logits, T([0, 1], 2), 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Huber(logits, logits, delta: 0));
    }

    private void SkipWithoutFloat64()
    {
        if (!SupportsFloat64)
        {
            Assert.Skip($"{Device} has no float64 storage");
        }
    }
}
