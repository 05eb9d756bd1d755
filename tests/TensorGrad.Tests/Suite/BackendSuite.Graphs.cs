using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>Captured steps: a replay computes what the eager step does, refuses what it cannot repeat, and allocates nothing.</summary>
public abstract partial class BackendSuite
{
    private Sequential Classifier(int seed) =>
        new(new Linear(6, 16, Device, seed: seed), new ReLU(), new Linear(16, 16, Device, seed: seed + 1), new ReLU(), new Linear(16, 4, Device, seed: seed + 2));

    private (Tensor X, Tensor Y) ClassBatch(int seed, int rows = 8) =>
        (Tensor.Randn([rows, 6], seed, Device), T([.. Enumerable.Range(0, rows).Select(i => (float)((i + seed) % 4))], rows));

    private static KernelGraph CaptureLoss(Module model, Tensor x, Tensor y) =>
        KernelGraph.Capture(() =>
        {
            var loss = Loss.CrossEntropy(model.Forward(x), y);
            loss.Backward();
            return loss;
        });

    [Fact]
    public void A_replayed_training_step_matches_the_eager_step_on_each_new_batch()
    {
        var eager = Classifier(1);
        var captured = Classifier(1);
        var eagerOptimizer = new Adam(eager.Parameters(), lr: 0.01);
        var capturedOptimizer = new Adam(captured.Parameters(), lr: 0.01);
        var (x, y) = ClassBatch(100);
        KernelGraph? graph = null;
        for (int step = 0; step < 5; step++)
        {
            var (bx, by) = ClassBatch(step);
            eagerOptimizer.ZeroGrad();
            float eagerLoss = 0;
            Recorded(() =>
            {
                var loss = Loss.CrossEntropy(eager.Forward(bx), by);
                loss.Backward();
                eagerLoss = loss.Item();
            });
            eagerOptimizer.Step();

            x.CopyFrom(bx);
            y.CopyFrom(by);
            capturedOptimizer.ZeroGrad();
            if (graph is null)
            {
                graph = CaptureLoss(captured, x, y);
            }
            else
            {
                graph.Replay();
            }

            capturedOptimizer.Step();
            Assert.Equal(eagerLoss, graph.Output.Item(), 5);
        }

        Assert.True(graph!.KernelCount > 10, $"{graph.KernelCount} kernels");
        for (int i = 0; i < eager.Parameters().Count; i++)
        {
            AssertClose([.. eager.Parameters()[i].ToArray().Select(v => (double)v)], captured.Parameters()[i].ToArray(), 1e-5);
        }

        graph.Dispose();
    }

    [Fact]
    public void Replays_without_zeroing_accumulate_gradients_like_repeated_backward_calls()
    {
        var model = Classifier(2);
        var (x, y) = ClassBatch(3);
        using var graph = CaptureLoss(model, x, y);
        var once = model.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        graph.Replay();
        graph.Replay();
        for (int i = 0; i < once.Length; i++)
        {
            AssertClose([.. once[i].Select(v => 3.0 * v)], model.Parameters()[i].Grad!.ToArray(), 1e-5);
        }

        // Cleared gradients start over: the next replay writes one step's gradient again.
        model.ZeroGrad();
        graph.Replay();
        AssertClose([.. once[0].Select(v => (double)v)], model.Parameters()[0].Grad!.ToArray(), 1e-6);
    }

    [Fact]
    public void A_captured_forward_pass_follows_new_values_of_its_input()
    {
        var model = Classifier(4);
        var (x, _) = ClassBatch(5);
        using var graph = KernelGraph.Capture(() => model.Forward(x).Softmax(-1));
        var (next, _) = ClassBatch(6);
        x.CopyFrom(next);
        graph.Replay();
        float[] expected;
        using (Tape.NoGrad())
        {
            using var tape = Tape.Begin();
            expected = model.Forward(next).Softmax(-1).ToArray();
        }

        AssertClose([.. expected.Select(v => (double)v)], graph.Output.ToArray(), 1e-6);
        Assert.Equal(new Shape(8, 4), graph.Output.Shape);
    }

    [Fact]
    public void A_graph_returns_every_tensor_the_step_returned()
    {
        var model = Classifier(16);
        var (x, y) = ClassBatch(17);
        using var graph = KernelGraph.Capture(() =>
        {
            var logits = model.Forward(x);
            var loss = Loss.CrossEntropy(logits, y);
            loss.Backward();
            return [loss, logits];
        });
        var (bx, by) = ClassBatch(18);
        x.CopyFrom(bx);
        y.CopyFrom(by);
        model.ZeroGrad();
        graph.Replay();
        float[] logits;
        float loss;
        using (Tape.NoGrad())
        {
            using var tape = Tape.Begin();
            var eager = model.Forward(bx);
            logits = eager.ToArray();
            loss = Loss.CrossEntropy(eager, by).Item();
        }

        Assert.Equal(2, graph.Outputs.Count);
        Assert.Same(graph.Outputs[0], graph.Output);
        Assert.Equal(loss, graph.Output.Item(), 5);
        AssertClose([.. logits.Select(v => (double)v)], graph.Outputs[1].ToArray(), 1e-6);
        Assert.Throws<InvalidOperationException>(() => KernelGraph.Capture(() => Array.Empty<Tensor>()));
    }

    [Fact]
    public void Capture_refuses_what_a_replay_cannot_repeat_and_leaves_eager_mode_working()
    {
        var model = Classifier(7);
        var optimizer = new Sgd(model.Parameters(), lr: 0.1);
        var (x, y) = ClassBatch(8);
        Func<Tensor>[] refused =
        [
            () => Tensor.FromArray([model.Forward(x).Sum().Item()], [1], Device),
            () => model.Forward(T([1, 2, 3, 4, 5, 6], 1, 6)),
            () =>
            {
                optimizer.ZeroGrad();
                return model.Forward(x);
            },
            () =>
            {
                var loss = Loss.CrossEntropy(model.Forward(x), y);
                loss.Backward();
                optimizer.Step();
                return loss;
            },
        ];
        string[] named = ["host", "uploads host data", "ZeroGrad", "optimizer step"];
        var before = model.Parameters()[0].ToArray();
        for (int i = 0; i < refused.Length; i++)
        {
            var error = Assert.Throws<InvalidOperationException>(() => KernelGraph.Capture(refused[i]));
            Assert.Contains("KernelGraph.Capture", error.Message);
            Assert.Contains(named[i], error.Message);
        }

        Assert.Equal(before, model.Parameters()[0].ToArray());
        using (Tape.Begin())
        {
            var error = Assert.Throws<InvalidOperationException>(() => CaptureLoss(model, x, y));
            Assert.Contains("tape is active", error.Message);
        }

        // Nothing is left recording: eager steps and a new capture work.
        optimizer.ZeroGrad();
        Recorded(() => Loss.CrossEntropy(model.Forward(x), y).Backward());
        var eagerGrad = model.Parameters()[0].Grad!.ToArray();
        optimizer.ZeroGrad();
        using var graph = CaptureLoss(model, x, y);
        Assert.Equal(eagerGrad, model.Parameters()[0].Grad!.ToArray());
    }

    [Fact]
    public void Replay_names_a_disposed_input_and_a_disposed_graph()
    {
        var model = Classifier(9);
        var (x, y) = ClassBatch(10);
        var graph = CaptureLoss(model, x, y);
        x.Dispose();
        var error = Assert.Throws<ObjectDisposedException>(graph.Replay);
        Assert.Contains("[8, 6]", error.Message);
        graph.Dispose();
        Assert.Throws<ObjectDisposedException>(graph.Replay);
    }

    [Fact]
    public void Disposing_a_graph_leaves_gradients_with_their_parameters_and_releases_its_output()
    {
        var model = Classifier(11);
        var (x, y) = ClassBatch(12);
        var graph = CaptureLoss(model, x, y);
        model.ZeroGrad();
        graph.Replay();
        var grad = model.Parameters()[0].Grad!.ToArray();

        // Zeroing gradients leaves the graph's gradient tensors to the graph.
        model.ZeroGrad();
        graph.Replay();
        graph.Output.Dispose();
        Assert.False(graph.Output.IsDisposed);
        graph.Dispose();
        Assert.True(graph.Output.IsDisposed);
        Assert.Equal(grad, model.Parameters()[0].Grad!.ToArray());
        model.ZeroGrad();
        Assert.Null(model.Parameters()[0].Grad);
    }

    [Fact]
    public void A_steady_replayed_training_step_allocates_no_managed_memory()
    {
        if (LaunchesAllocate is { } reason)
        {
            Assert.Skip(reason);
        }

        var model = Classifier(13);
        var optimizer = new AdamW(model.Parameters(), lr: 0.01);
        var (x, y) = ClassBatch(14);
        var (bx, by) = ClassBatch(15);
        using var graph = CaptureLoss(model, x, y);
        float sum = 0;
        void Step()
        {
            x.CopyFrom(bx);
            y.CopyFrom(by);
            optimizer.ZeroGrad();
            graph.Replay();
            optimizer.Step();
            sum += graph.Output.Item();
        }

        for (int i = 0; i < 5; i++)
        {
            Step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(sum));
    }

    [Fact]
    public void Replayed_broadcasting_ops_follow_their_inputs_and_allocate_nothing()
    {
        if (LaunchesAllocate is { } reason)
        {
            Assert.Skip(reason);
        }

        var a = Tensor.Randn([3, 1, 5], 19, Device);
        var b = Tensor.Randn([4, 1], 20, Device);
        var c = Tensor.Randn([2, 3, 4], 21, Device);
        var d = Tensor.Randn([3, 1], 22, Device);
        using var graph = KernelGraph.Capture(() => [a * b, c + d, (a - b).Max()]);
        var (na, nc) = (Tensor.Randn([3, 1, 5], 23, Device), Tensor.Randn([2, 3, 4], 24, Device));
        a.CopyFrom(na);
        c.CopyFrom(nc);
        graph.Replay();
        long before = GC.GetAllocatedBytesForCurrentThread();
        graph.Replay();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        using (Tape.Begin())
        {
            AssertClose([.. (na * b).ToArray().Select(v => (double)v)], graph.Outputs[0].ToArray(), 1e-6);
            AssertClose([.. (nc + d).ToArray().Select(v => (double)v)], graph.Outputs[1].ToArray(), 1e-6);
            AssertClose([(na - b).Max().Item()], graph.Outputs[2].ToArray(), 1e-6);
        }
    }

    [Fact]
    public void Capture_adds_to_gradients_that_exist_and_keeps_a_view_it_returns()
    {
        var model = Classifier(25);
        var (x, y) = ClassBatch(26);
        Recorded(() => Loss.CrossEntropy(model.Forward(x), y).Backward());
        var once = model.Parameters()[0].Grad!.ToArray();

        // The capture runs the step as an eager call would: it adds to the existing gradient.
        using var graph = KernelGraph.Capture(() =>
        {
            var logits = model.Forward(x);
            Loss.CrossEntropy(logits, y).Backward();
            return logits.Reshape(-1);
        });
        AssertClose([.. once.Select(v => 2.0 * v)], model.Parameters()[0].Grad!.ToArray(), 1e-5);

        // The returned view outlives the capture's tape and follows the input.
        var (next, _) = ClassBatch(27);
        x.CopyFrom(next);
        model.ZeroGrad();
        graph.Replay();
        float[] expected;
        using (Tape.NoGrad())
        {
            using var tape = Tape.Begin();
            expected = model.Forward(next).ToArray();
        }

        Assert.Equal(new Shape(32), graph.Output.Shape);
        AssertClose([.. expected.Select(v => (double)v)], graph.Output.ToArray(), 1e-6);
    }

    [Fact]
    public void Clipping_and_a_schedule_between_replay_and_step_match_eager_training()
    {
        var eager = Classifier(28);
        var captured = Classifier(28);
        var eagerOptimizer = new Sgd(eager.Parameters(), lr: 0.5, momentum: 0.9);
        var capturedOptimizer = new Sgd(captured.Parameters(), lr: 0.5, momentum: 0.9);
        var eagerSchedule = new StepLR(eagerOptimizer, stepSize: 2, gamma: 0.5);
        var capturedSchedule = new StepLR(capturedOptimizer, stepSize: 2, gamma: 0.5);
        var (x, y) = ClassBatch(29);
        using var graph = CaptureLoss(captured, x, y);
        capturedOptimizer.ZeroGrad();
        for (int step = 0; step < 4; step++)
        {
            var (bx, by) = ClassBatch(30 + step);
            eagerOptimizer.ZeroGrad();
            Recorded(() => Loss.CrossEntropy(eager.Forward(bx), by).Backward());
            double eagerNorm = GradClip.ClipByGlobalNorm(eager.Parameters(), 0.1);
            eagerOptimizer.Step();
            eagerSchedule.Step();

            x.CopyFrom(bx);
            y.CopyFrom(by);
            capturedOptimizer.ZeroGrad();
            graph.Replay();
            double capturedNorm = GradClip.ClipByGlobalNorm(captured.Parameters(), 0.1);
            capturedOptimizer.Step();
            capturedSchedule.Step();
            Assert.Equal(eagerNorm, capturedNorm, 1e-5);
        }

        for (int i = 0; i < eager.Parameters().Count; i++)
        {
            AssertClose([.. eager.Parameters()[i].ToArray().Select(v => (double)v)], captured.Parameters()[i].ToArray(), 1e-5);
        }
    }
}
