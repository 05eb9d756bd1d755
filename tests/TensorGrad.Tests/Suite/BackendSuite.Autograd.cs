using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>Tape behaviour: accumulation, ownership, no-grad, nesting and shared inputs.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_reset()
    {
        var w = T([1, 2], 2);
        w.RequiresGrad = true;
        for (int i = 0; i < 2; i++)
        {
            Recorded(() => (w * w).Sum().Backward());
        }

        AssertClose([4, 8], w.Grad!.ToArray());
        w.Grad = null;
        Recorded(() => (w * 3).Sum().Backward());
        AssertClose([3, 3], w.Grad!.ToArray());
    }

    [Fact]
    public void A_tensor_used_twice_gets_both_contributions()
    {
        var x = T([3], 1);
        x.RequiresGrad = true;
        Recorded(() => (x + x).Sum().Backward());
        AssertClose([2], x.Grad!.ToArray());
        x.Grad = null;
        Recorded(() => ((x * x) + x).Sum().Backward());
        AssertClose([7], x.Grad!.ToArray());
        x.Grad = null;
        Recorded(() =>
        {
            var h = x.Exp();
            (h * h + h).Sum().Backward();
        });
        AssertClose([(2 * Math.Exp(6)) + Math.Exp(3)], x.Grad!.ToArray(), 1e-5);
    }

    [Fact]
    public void Disposing_the_tape_releases_intermediates_but_keeps_parameter_gradients()
    {
        var w = T([0.5f, -1], 2);
        w.RequiresGrad = true;
        Tensor hidden, loss;
        using (var tape = Tape.Begin())
        {
            hidden = w.Sigmoid();
            loss = hidden.Mean();
            loss.Backward();
            Assert.Equal(2, tape.NodeCount);
        }

        Assert.True(hidden.IsDisposed);
        Assert.False(w.IsDisposed);
        Assert.False(w.Grad!.IsDisposed);
        var e = Assert.Throws<ObjectDisposedException>(() => loss.Backward());
        Assert.Contains("Mean", e.Message);
        var e2 = Assert.Throws<ObjectDisposedException>(() => hidden.ToArray());
        Assert.Contains("Sigmoid", e2.Message);
    }

    [Fact]
    public void NoGrad_records_nothing_and_results_do_not_require_gradients()
    {
        var w = T([1, 2], 2);
        w.RequiresGrad = true;
        using var tape = Tape.Begin();
        Tensor y;
        using (Tape.NoGrad())
        {
            y = (w * 2).Sigmoid();
        }

        Assert.Equal(0, tape.NodeCount);
        Assert.False(y.RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.True(Tape.IsGradEnabled);
    }

    [Fact]
    public void An_evaluation_tape_records_nothing_and_releases_what_it_made()
    {
        var w = T([1, 2], 2);
        w.RequiresGrad = true;
        using var outer = Tape.Begin();
        Tensor y;
        using (var evaluation = Tape.Begin(recordGradients: false))
        {
            Assert.False(evaluation.RecordsGradients);
            Assert.False(Tape.IsGradEnabled);
            y = (w * 2).Sigmoid();
            Assert.False(y.RequiresGrad);
            Assert.Equal(0, evaluation.NodeCount);
            Assert.Equal(2, evaluation.OwnedCount);
            AssertClose([1 / (1 + Math.Exp(-2)), 1 / (1 + Math.Exp(-4))], y.ToArray());
        }

        Assert.True(y.IsDisposed);
        Assert.True(Tape.IsGradEnabled);
        var z = (w * 3).Sum();
        Assert.Equal(2, outer.NodeCount);
        z.Backward();
        AssertClose([3, 3], w.Grad!.ToArray());
    }

    [Fact]
    public void Backward_flows_through_nested_tapes()
    {
        var w = T([2], 1);
        w.RequiresGrad = true;
        using var outer = Tape.Begin();
        var h = w * w;
        using (var inner = Tape.Begin())
        {
            (h * 3).Sum().Backward();
        }

        AssertClose([12], w.Grad!.ToArray());
    }

    [Fact]
    public void Backward_with_an_explicit_gradient_weights_each_output()
    {
        var x = T([1, 2, 3], 3);
        x.RequiresGrad = true;
        Recorded(() => (x * x).Backward(T([1, 0, -1], 3)));
        AssertClose([2, 0, -6], x.Grad!.ToArray());
    }

    [Fact]
    public void Detach_cuts_the_graph()
    {
        var x = T([2], 1);
        x.RequiresGrad = true;
        Recorded(() => (x * x.Detach()).Sum().Backward());
        AssertClose([2], x.Grad!.ToArray());
    }

    [Fact]
    public void A_small_network_trained_with_raw_ops_solves_xor()
    {
        var random = new Random(1);
        var x = T([0, 0, 0, 1, 1, 0, 1, 1], 4, 2);
        var y = T([0, 1, 1, 0], 4, 1);
        var w1 = Tensor.Rand([2, 8], random, -1, 1, Device);
        var b1 = Tensor.Zeros([8], Device);
        var w2 = Tensor.Rand([8, 1], random, -1, 1, Device);
        var b2 = Tensor.Zeros([1], Device);
        Tensor[] parameters = [w1, b1, w2, b2];
        foreach (var p in parameters)
        {
            p.RequiresGrad = true;
        }

        for (int step = 0; step < 2000; step++)
        {
            using var tape = Tape.Begin();
            var output = ((x.MatMul(w1) + b1).Tanh().MatMul(w2) + b2).Sigmoid();
            Loss.BinaryCrossEntropy(output, y).Backward();
            foreach (var p in parameters)
            {
                p.AddInPlace(p.Grad!, -0.5);
                p.Grad = null;
            }
        }

        using (Tape.NoGrad())
        {
            var predictions = ((x.MatMul(w1) + b1).Tanh().MatMul(w2) + b2).Sigmoid().ToArray();
            Assert.Equal([0f, 1, 1, 0], predictions.Select(p => p > 0.5f ? 1f : 0f).ToArray());
        }
    }
}
