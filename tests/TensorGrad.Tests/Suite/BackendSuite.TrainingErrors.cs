using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>Bad input to modules, optimizers and clipping gets a clear exception.</summary>
public abstract partial class BackendSuite
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Optimizers_reject_a_learning_rate_that_is_not_positive_and_finite(double lr)
    {
        var p = T([1], 1);
        var sgd = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], lr));
        Assert.Contains("Sgd: the learning rate must be a finite number > 0", sgd.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], lr));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], lr));

        var optimizer = new Adam([p]);
        if (lr != 0)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = lr);
        }
    }

    [Fact]
    public void Optimizers_reject_an_empty_repeated_or_non_leaf_parameter_list()
    {
        var empty = Assert.Throws<ArgumentException>(() => new Adam([]));
        Assert.Contains("Adam: the parameter list is empty", empty.Message);

        var p = T([1], 1);
        var twice = Assert.Throws<ArgumentException>(() => new Sgd([p, p], 0.1));
        Assert.Contains("appears more than once", twice.Message);

        p.RequiresGrad = true;
        using var tape = Tape.Begin();
        var derived = p * 2;
        var nonLeaf = Assert.Throws<ArgumentException>(() => new Sgd([derived], 0.1));
        Assert.Contains("not a leaf tensor", nonLeaf.Message);
    }

    [Fact]
    public void Optimizers_reject_out_of_range_hyperparameters()
    {
        var p = T([1], 1);
        Assert.Contains("momentum must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1, momentum: 1)).Message);
        Assert.Contains("Nesterov momentum needs momentum > 0", Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, nesterov: true)).Message);
        Assert.Contains("beta2 must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta2: 1)).Message);
        Assert.Contains("weightDecay must be finite and >= 0", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], weightDecay: -1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipByGlobalNorm([p], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipByValue([p], double.NaN));
    }

    [Fact]
    public void A_gradient_that_does_not_match_its_parameter_stops_the_step()
    {
        var p = T([1, 2], 2);
        var sgd = new Sgd([p], 0.1);
        p.Grad = T([1, 2, 3], 3);
        var e = Assert.Throws<InvalidOperationException>(sgd.Step);
        Assert.Contains("Sgd.Step: parameter 0 is [2] Float32", e.Message);
        Assert.Contains("its gradient is [3]", e.Message);
        AssertClose([1, 2], p.ToArray());
    }

    [Fact]
    public void Linear_rejects_an_input_of_the_wrong_width_naming_both_sizes()
    {
        var layer = new Linear(4, 2, Device);
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(T(new float[6], 2, 3)));
        Assert.Contains("Linear(in=4, out=2): the input is [2, 3]", e.Message);
        Assert.Contains(Device.ToString(), e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 2, Device));
    }
}
