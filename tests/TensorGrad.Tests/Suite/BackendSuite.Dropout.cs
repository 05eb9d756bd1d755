using TensorGrad.Backends;
using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>Dropout: its statistics, scaling, modes, gradients, masks shared by every backend, and replays.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void Dropout_keeps_one_minus_p_of_a_million_elements_within_three_sigma_and_scales_them()
    {
        const int n = 1 << 20;
        const double p = 0.3;
        float[] y = [];
        Recorded(() => y = Tensor.Ones(new Shape(n), Device).Dropout(p, new RandomStream(42)).ToArray());

        int kept = y.Count(v => v != 0);
        double sigma = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(kept, (n * (1 - p)) - (3 * sigma), (n * (1 - p)) + (3 * sigma));
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - (1 / (1 - p))) < 1e-6, $"{v} is neither 0 nor 1/(1-p)"));
    }

    [Fact]
    public void Dropout_draws_the_masks_the_philox_stream_defines_on_every_backend()
    {
        var expected = new double[37];
        DropoutMasks.Fill<double>(expected, 0.4, 1234, 8);
        var stream = new RandomStream(1234);
        stream.Take(5);
        float[] actual = [];
        Recorded(() => actual = Tensor.Ones(new Shape(37), Device).Dropout(0.4, stream).ToArray());

        AssertClose(expected, actual, 1e-6);
        Assert.Equal(48ul, stream.Offset);
    }

    [Fact]
    public void Dropout_gradient_is_the_mask_and_eval_mode_is_the_identity()
    {
        var module = new Dropout(0.5, seed: 3);
        var x = T([.. Enumerable.Range(1, 64).Select(i => (float)i)], 8, 8);
        x.RequiresGrad = true;
        Recorded(() =>
        {
            var y = module.Forward(x);
            y.Sum().Backward();
            var ys = y.ToArray();
            var xs = x.ToArray();
            AssertClose([.. ys.Select((v, i) => (double)v / xs[i])], x.Grad!.ToArray());
            Assert.Contains(ys, v => v == 0);
        });

        module.Eval();
        Assert.Same(x, module.Forward(x));
        Assert.Equal("Dropout(p=0.5)", module.ToString());
    }

    [Fact]
    public void Dropout_handles_p_zero_and_one_and_refuses_p_outside_the_unit_interval()
    {
        var x = T([1, 2, 3], 3);
        var stream = new RandomStream(1);

        Assert.Same(x, x.Dropout(0, stream));
        Recorded(() => Assert.Equal(new float[3], x.Dropout(1, stream).ToArray()));
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => x.Dropout(1.5, stream)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(-0.1));
    }

    [Fact]
    public void Replays_draw_fresh_masks_in_the_same_sequence_as_eager_steps()
    {
        var x = T([.. Enumerable.Range(1, 32).Select(i => (float)i)], 4, 8);
        var eager = new Dropout(0.5, seed: 11);
        var eagerOutputs = new List<float[]>();
        for (int step = 0; step < 3; step++)
        {
            Recorded(() => eagerOutputs.Add(eager.Forward(x).ToArray()));
        }

        var captured = new Dropout(0.5, seed: 11);
        using var graph = KernelGraph.Capture(() => captured.Forward(x) * 1);
        var replayed = new List<float[]> { graph.Output.ToArray() };
        for (int step = 1; step < 3; step++)
        {
            graph.Replay();
            replayed.Add(graph.Output.ToArray());
        }

        Assert.NotEqual(eagerOutputs[0], eagerOutputs[1]);
        for (int step = 0; step < 3; step++)
        {
            Assert.Equal(eagerOutputs[step], replayed[step]);
        }
    }
}
