using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>Optimizer update rules against steps worked out by hand, and their bookkeeping.</summary>
public abstract partial class BackendSuite
{
    /// <summary>Runs three steps of <paramref name="makeOptimizer"/> on a one-element parameter starting at 1 with the given gradients.</summary>
    private float[] ThreeSteps(Func<Tensor, Optimizer> makeOptimizer, params float[] gradients)
    {
        var p = T([1], 1);
        p.RequiresGrad = true;
        var optimizer = makeOptimizer(p);
        var trace = new float[gradients.Length];
        for (int i = 0; i < gradients.Length; i++)
        {
            p.Grad = T([gradients[i]], 1);
            optimizer.Step();
            trace[i] = p.ToArray()[0];
        }

        return trace;
    }

    [Fact]
    public void Sgd_with_momentum_matches_hand_computed_steps()
    {
        // g = 1, lr = 0.1, μ = 0.9: v = 1, 1.9, 2.71 and p = 1 - 0.1, 0.9 - 0.19, 0.71 - 0.271.
        var trace = ThreeSteps(p => new Sgd([p], lr: 0.1, momentum: 0.9), 1, 1, 1);
        AssertClose([0.9, 0.71, 0.439], trace);
    }

    [Fact]
    public void Sgd_with_nesterov_momentum_matches_hand_computed_steps()
    {
        // v = 1, 1.9, 2.71; the step uses g + μv = 1.9, 2.71, 3.439.
        var trace = ThreeSteps(p => new Sgd([p], lr: 0.1, momentum: 0.9, nesterov: true), 1, 1, 1);
        AssertClose([0.81, 0.539, 0.1951], trace);
    }

    [Fact]
    public void Sgd_dampening_applies_after_the_first_step_and_weight_decay_adds_to_the_gradient()
    {
        // The first velocity is the raw gradient; then v = 0.9v + 0.5g = 1.4, 1.76.
        var damped = ThreeSteps(p => new Sgd([p], lr: 0.1, momentum: 0.9, dampening: 0.5), 1, 1, 1);
        AssertClose([0.9, 0.76, 0.584], damped);

        // d = g + 0.1p: 1.1, 1.089, 1.07811.
        var decayed = ThreeSteps(p => new Sgd([p], lr: 0.1, weightDecay: 0.1), 1, 1, 1);
        AssertClose([0.89, 0.7811, 0.673289], decayed);
    }

    [Fact]
    public void Adam_matches_hand_computed_bias_corrected_steps()
    {
        // Step 1: m̂ = g and v̂ = g², so the step is lr·sign(g) = 0.1 (uncorrected it would be 0.316).
        // Step 2: m = 0.09 - 0.2 = -0.11, v = 0.000999 + 0.004 = 0.004999; m̂ = -0.11/0.19, v̂ = 0.004999/0.001999;
        // p = 0.9 + 0.1·0.578947/1.581380 = 0.936610. Step 3 likewise.
        var trace = ThreeSteps(p => new Adam([p], lr: 0.1), 1, -2, 0.5f);
        AssertClose([0.9, 0.93661035, 0.95027942], trace, 1e-6);

        // Coupled decay: the gradient becomes g + 0.1p before the moments (g₁ = 1.1).
        var coupled = ThreeSteps(p => new Adam([p], lr: 0.1, weightDecay: 0.1), 1, -2, 0.5f);
        AssertClose([0.9, 0.93106429, 0.93764215], coupled, 1e-6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Float32_adam_steps_stay_within_rounding_of_a_float64_reference(bool decoupled)
    {
        // The per-step scalars (1 - β₂ above all) are derived in double: in float32, 1 - 0.999f
        // makes every step 6e-6 relative too large, 2e-6 absolute here after three steps.
        float[] gradients = [1, -2, 0.5f];
        var trace = ThreeSteps(p => decoupled ? new AdamW([p], lr: 0.1, weightDecay: 0.1) : new Adam([p], lr: 0.1, weightDecay: 0.1), gradients);

        double param = 1, m = 0, v = 0;
        for (int t = 1; t <= gradients.Length; t++)
        {
            double g = gradients[t - 1] + (decoupled ? 0 : 0.1 * param);
            param *= decoupled ? 1 - (0.1 * 0.1) : 1;
            m = (0.9 * m) + (0.1 * g);
            v = (0.999 * v) + (0.001 * g * g);
            param -= 0.1 * (m / (1 - Math.Pow(0.9, t))) / ((Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(0.999, t))) + 1e-8);
            Assert.True(Math.Abs(trace[t - 1] - param) <= 3e-7, $"step {t}: {trace[t - 1]}, float64 {param}");
        }
    }

    [Fact]
    public void AdamW_shrinks_the_weights_before_the_adam_step()
    {
        // With a constant gradient every Adam step is exactly lr, so p = 0.99p - 0.1: 0.89, 0.7811, 0.673289.
        var trace = ThreeSteps(p => new AdamW([p], lr: 0.1, weightDecay: 0.1), 1, 1, 1);
        AssertClose([0.89, 0.7811, 0.673289], trace, 1e-5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(257)]
    [InlineData(150_001)]
    public void Fused_adam_and_sgd_kernels_match_the_scalar_rule_at_every_length(int length)
    {
        var random = new Random(length);
        var p0 = Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var grads = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();

        var adamParam = T([.. p0.Select(v => (float)v)], length);
        var sgdParam = T([.. p0.Select(v => (float)v)], length);
        var adam = new AdamW([adamParam], lr: 0.01, weightDecay: 0.05);
        var sgd = new Sgd([sgdParam], lr: 0.1, momentum: 0.8, weightDecay: 0.01, nesterov: true);
        double[] expectedAdam = [.. p0], expectedSgd = [.. p0], m = new double[length], v = new double[length], velocity = new double[length];
        for (int t = 1; t <= grads.Length; t++)
        {
            var g = grads[t - 1];
            adamParam.Grad = T([.. g.Select(x => (float)x)], length);
            sgdParam.Grad = T([.. g.Select(x => (float)x)], length);
            adam.Step();
            sgd.Step();
            for (int i = 0; i < length; i++)
            {
                expectedAdam[i] *= 1 - (0.01 * 0.05);
                m[i] = (0.9 * m[i]) + (0.1 * g[i]);
                v[i] = (0.999 * v[i]) + (0.001 * g[i] * g[i]);
                double mHat = m[i] / (1 - Math.Pow(0.9, t)), vHat = v[i] / (1 - Math.Pow(0.999, t));
                expectedAdam[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);

                double d = g[i] + (0.01 * expectedSgd[i]);
                velocity[i] = t == 1 ? d : (0.8 * velocity[i]) + d;
                expectedSgd[i] -= 0.1 * (d + (0.8 * velocity[i]));
            }
        }

        AssertClose(expectedAdam, adamParam.ToArray(), 1e-5);
        AssertClose(expectedSgd, sgdParam.ToArray(), 1e-5);
    }

    [Fact]
    public void Parameters_without_a_gradient_are_skipped_and_keep_their_own_step_count()
    {
        var a = T([1], 1);
        var b = T([1], 1);
        var adam = new Adam([a, b], lr: 0.1);
        a.Grad = T([1], 1);
        adam.Step();
        AssertClose([1], b.ToArray());
        Assert.Null(adam.FirstMoment(1));

        // b's first update is bias-corrected as step 1 (a full lr step), although the optimizer is at step 2.
        b.Grad = T([1], 1);
        a.Grad = null;
        adam.Step();
        AssertClose([0.9], b.ToArray(), 1e-6);
        AssertClose([0.9], a.ToArray(), 1e-6);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void ZeroGrad_releases_or_zeroes_the_gradients()
    {
        var w = T([1, 2], 2);
        w.RequiresGrad = true;
        var sgd = new Sgd([w], lr: 0.1);
        Recorded(() => (w * w).Sum().Backward());
        var grad = w.Grad!;
        sgd.ZeroGrad(setToNull: false);
        Assert.Same(grad, w.Grad);
        AssertClose([0, 0], w.Grad!.ToArray());

        sgd.ZeroGrad();
        Assert.Null(w.Grad);
        Assert.True(grad.IsDisposed);
    }

    [Fact]
    public void A_steady_optimizer_step_allocates_no_managed_memory()
    {
        if (LaunchesAllocate is { } reason)
        {
            Assert.Skip(reason);
        }

        var w = T([.. Enumerable.Range(0, 100).Select(i => i * 0.01f)], 10, 10);
        w.Grad = T([.. Enumerable.Range(0, 100).Select(i => 0.5f - (i * 0.01f))], 10, 10);
        Optimizer[] optimizers = [new Sgd([w], lr: 0.01, momentum: 0.9), new Adam([w]), new AdamW([w])];
        foreach (var optimizer in optimizers)
        {
            for (int i = 0; i < 5; i++)
            {
                optimizer.Step();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            optimizer.Step();
            optimizer.Step();
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before == 0, $"{optimizer.GetType().Name}: {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
        }
    }

    [Fact]
    public void Gradient_clipping_by_global_norm_returns_the_norm_and_scales_only_above_the_limit()
    {
        var a = T([0, 0], 2);
        var b = T([0], 1);
        var unused = T([0], 1);
        a.Grad = T([3, 4], 2);
        b.Grad = T([12], 1);
        Tensor[] parameters = [a, b, unused];

        Assert.Equal(13, GradClip.ClipByGlobalNorm(parameters, 20), 5);
        AssertClose([3, 4], a.Grad.ToArray());

        Assert.Equal(13, GradClip.ClipByGlobalNorm(parameters, 6.5), 5);
        AssertClose([1.5, 2], a.Grad.ToArray(), 1e-6);
        AssertClose([6], b.Grad.ToArray(), 1e-6);
        Assert.Equal(6.5, GradClip.GlobalNorm(parameters), 4);
    }

    [Fact]
    public void Gradient_clipping_leaves_non_finite_gradients_for_the_caller_to_see()
    {
        var a = T([0, 0], 2);
        a.Grad = T([float.NaN, 1], 2);
        Assert.True(double.IsNaN(GradClip.ClipByGlobalNorm([a], 1)));
        Assert.Equal(1, a.Grad.ToArray()[1]);
    }

    [Fact]
    public void Gradient_clipping_by_value_clamps_each_element()
    {
        var a = T([0, 0, 0], 3);
        a.Grad = T([-2, 0.3f, 1], 3);
        GradClip.ClipByValue([a], 0.5);
        AssertClose([-0.5, 0.3, 0.5], a.Grad.ToArray());
    }
}
