using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>End-to-end training: accumulation, the classic small networks, schedules and clipping in a loop.</summary>
public abstract partial class BackendSuite
{
    /// <summary>100 samples of 4 features in [0, 1) and a smooth target in (0, 1).</summary>
    private (Tensor X, Tensor Y) RegressionData()
    {
        var x = Tensor.Rand([100, 4], new Random(7), device: Device);
        var xs = x.ToArray();
        var ys = new float[100];
        for (int i = 0; i < ys.Length; i++)
        {
            ys[i] = 1 / (1 + MathF.Exp(-((3 * (xs[4 * i] - xs[(4 * i) + 1])) + (2 * (xs[(4 * i) + 2] - xs[(4 * i) + 3])))));
        }

        return (x, T(ys, 100, 1));
    }

    [Fact]
    public void Backward_over_micro_batches_accumulates_the_full_batch_gradient()
    {
        var (x, y) = RegressionData();
        var full = Mlp(3);
        var accumulated = Mlp(3);
        var fullOptimizer = new Sgd(full.Parameters(), lr: 0.1, momentum: 0.9);
        var accumulatedOptimizer = new Sgd(accumulated.Parameters(), lr: 0.1, momentum: 0.9);
        for (int step = 0; step < 3; step++)
        {
            fullOptimizer.ZeroGrad();
            Recorded(() => Loss.Mse(full.Forward(x), y).Backward());

            // Four micro-batches of 25 rows: each mean loss is scaled by 1/4 so the sum is the full-batch mean.
            accumulatedOptimizer.ZeroGrad();
            for (int k = 0; k < 4; k++)
            {
                using var rows = Rows(x, 25 * k, 25);
                using var targets = Rows(y, 25 * k, 25);
                Recorded(() => (Loss.Mse(accumulated.Forward(rows), targets) * 0.25f).Backward());
            }

            for (int i = 0; i < 4; i++)
            {
                AssertClose([.. full.Parameters()[i].Grad!.ToArray().Select(v => (double)v)], accumulated.Parameters()[i].Grad!.ToArray(), 1e-5);
            }

            fullOptimizer.Step();
            accumulatedOptimizer.Step();
        }

        for (int i = 0; i < 4; i++)
        {
            AssertClose([.. full.Parameters()[i].ToArray().Select(v => (double)v)], accumulated.Parameters()[i].ToArray(), 1e-5);
        }
    }

    [Fact]
    public void The_classic_4_8_1_sigmoid_network_cuts_its_mse_tenfold_by_gradient_descent()
    {
        var (x, y) = RegressionData();
        var w1 = Tensor.Randn([4, 8], new Random(1), 0, 0.01, Device);
        var b1 = Tensor.Zeros([8], Device);
        var w2 = Tensor.Randn([8, 1], new Random(2), 0, 0.01, Device);
        var b2 = Tensor.Zeros([1], Device);
        Tensor[] parameters = [w1, b1, w2, b2];
        foreach (var p in parameters)
        {
            p.RequiresGrad = true;
        }

        var sgd = new Sgd(parameters, lr: 2);
        var losses = new List<float>();
        for (int epoch = 0; epoch < 1000; epoch++)
        {
            using var tape = Tape.Begin();
            var loss = Loss.Mse(((x.MatMul(w1) + b1).Sigmoid().MatMul(w2) + b2).Sigmoid(), y);
            sgd.ZeroGrad();
            loss.Backward();
            sgd.Step();
            losses.Add(loss.Item());
        }

        Assert.True(losses[^1] * 10 <= losses[0], $"MSE went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void Linear_relu_linear_with_adam_and_a_warmup_cosine_schedule_fits_the_regression()
    {
        var (x, y) = RegressionData();
        var model = Mlp(4);
        var adam = new Adam(model.Parameters(), lr: 0.01);
        var schedule = new WarmupCosine(adam, warmupSteps: 20, totalSteps: 400);
        float first = 0, last = 0;
        for (int step = 0; step < 400; step++)
        {
            using var tape = Tape.Begin();
            var loss = Loss.Mse(model.Forward(x), y);
            adam.ZeroGrad();
            loss.Backward();
            GradClip.ClipByGlobalNorm(model.Parameters(), 1.0);
            adam.Step();
            schedule.Step();
            last = loss.Item();
            first = step == 0 ? last : first;
        }

        Assert.True(last * 10 <= first, $"MSE went from {first} to {last}");
        Assert.Equal(0, adam.LearningRate, 12);
    }

    [Fact]
    public void A_2_4_1_network_solves_xor()
    {
        var x = T([0, 0, 0, 1, 1, 0, 1, 1], 4, 2);
        var y = T([0, 1, 1, 0], 4, 1);
        var model = new Sequential(new Linear(2, 4, Device, seed: 1), new Tanh(), new Linear(4, 1, Device, seed: 2), new Sigmoid());
        var adam = new Adam(model.Parameters(), lr: 0.05);
        for (int step = 0; step < 500; step++)
        {
            using var tape = Tape.Begin();
            var loss = Loss.BinaryCrossEntropy(model.Forward(x), y);
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
        }

        using (Tape.NoGrad())
        {
            var output = model.Forward(x).ToArray();
            Assert.Equal([0f, 1, 1, 0], output.Select(p => p > 0.5f ? 1f : 0f));
        }
    }

    /// <summary>Rows [start, start + count) of a 2-D tensor, as a new leaf.</summary>
    private Tensor Rows(Tensor t, int start, int count)
    {
        int cols = t.Shape[1];
        return T(t.ToArray()[(start * cols)..((start + count) * cols)], count, cols);
    }
}
