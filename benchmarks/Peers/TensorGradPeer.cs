using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Peers;

/// <summary>
/// The workloads on TensorGrad's CPU backend, run eagerly (a tape per step) or, with
/// <paramref name="replayed"/>, captured once in a <see cref="KernelGraph"/> and replayed.
/// </summary>
public sealed class TensorGradPeer(bool replayed) : InProcessPeer
{
    /// <summary>The column of the eager runs.</summary>
    public const string EagerName = "TensorGrad";

    /// <summary>The column of the replayed runs.</summary>
    public const string ReplayedName = "TensorGrad graph";

    public override string Name => replayed ? ReplayedName : EagerName;

    public override string Description => $"{Name}: TensorGrad {typeof(Tensor).Assembly.GetName().Version} (CPU backend, {Environment.ProcessorCount} threads), {(replayed ? "each step captured once in a KernelGraph and replayed" : "eager, a tape per step")}";

    protected override Action MlpStep(int batch, string optimizerName)
    {
        var (optimizer, loss) = Mlp(batch, optimizerName);
        return Step(optimizer, loss);
    }

    protected override Action MlpInBackwardStep(int batch, string optimizerName)
    {
        var (optimizer, loss) = Mlp(batch, optimizerName);
        Keep(optimizer.StepInBackward());
        if (!replayed)
        {
            return () =>
            {
                using var tape = Tape.Begin();
                loss().Backward();
            };
        }

        var graph = Keep(KernelGraph.Capture(() =>
        {
            var value = loss();
            value.Backward();
            return value;
        }));
        return graph.Replay;
    }

    protected override Action NormMlpStep(int batch)
    {
        var cpu = Device.Cpu;
        var model = new Sequential(
            new Linear(784, 256, cpu, seed: 1),
            new BatchNorm1d(256, device: cpu),
            new ReLU(),
            new Dropout(0.2, seed: 4),
            new Linear(256, 128, cpu, seed: 2),
            new BatchNorm1d(128, device: cpu),
            new ReLU(),
            new Dropout(0.2, seed: 5),
            new Linear(128, 10, cpu, seed: 3));
        var adam = new Adam(model.Parameters(), lr: 1e-3);
        var x = Keep(Tensor.Rand([batch, 784], seed: 1, device: cpu));
        var y = Keep(Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % 10))], new Shape(batch), cpu));
        return Step(adam, () => Loss.CrossEntropy(model.Forward(x), y));
    }

    protected override Action LayerNormStep()
    {
        var cpu = Device.Cpu;
        var layer = new LayerNorm(1024, device: cpu);
        var x = Keep(Tensor.Rand([512, 1024], seed: 1, device: cpu));
        x.RequiresGrad = true;
        var weights = Keep(Tensor.Rand([512, 1024], seed: 2, device: cpu));
        var parameters = new Sgd([x, .. layer.Parameters()], lr: 1e-9);
        return Step(parameters, () => (layer.Forward(x) * weights).Sum());
    }

    protected override Action LeNetStep(int batch)
    {
        var cpu = Device.Cpu;
        var model = new Sequential(
            new Conv2d(1, 32, 5, device: cpu, seed: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 5, device: cpu, seed: 2), new ReLU(), new MaxPool2d(2),
            new Flatten(),
            new Linear(1024, 128, cpu, seed: 3), new ReLU(), new Dropout(0.5, seed: 4),
            new Linear(128, 10, cpu, seed: 5));
        var adam = new Adam(model.Parameters(), lr: 1e-3);
        var x = Keep(Tensor.Rand([batch, 1, 28, 28], seed: 1, device: cpu));
        var y = Keep(Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % 10))], new Shape(batch), cpu));
        return Step(adam, () => Loss.CrossEntropy(model.Forward(x), y));
    }

    protected override Action ConvStep(int batch)
    {
        var cpu = Device.Cpu;
        var layer = new Conv2d(64, 64, 3, padding: 1, device: cpu, seed: 1);
        var x = Keep(Tensor.Rand([batch, 64, 28, 28], seed: 1, device: cpu));
        x.RequiresGrad = true;
        var weights = Keep(Tensor.Rand([batch, 64, 28, 28], seed: 2, device: cpu));
        var parameters = new Sgd([x, .. layer.Parameters()], lr: 1e-9);
        return Step(parameters, () => (layer.Forward(x) * weights).Sum());
    }

    protected override Action TinyStep()
    {
        var cpu = Device.Cpu;
        var model = new Sequential(new Linear(4, 8, cpu, seed: 1), new Sigmoid(), new Linear(8, 1, cpu, seed: 2), new Sigmoid());
        var sgd = new Sgd(model.Parameters(), lr: 0.5);
        var x = Keep(Tensor.Randn([4, 4], seed: 3, device: cpu));
        var y = Keep(Tensor.Rand([4, 1], seed: 4, device: cpu));
        return Step(sgd, () => Loss.Mse(model.Forward(x), y));
    }

    protected override Action Sgemm(int n)
    {
        var a = Keep(Tensor.Rand([n, n], seed: 1, device: Device.Cpu));
        var b = Keep(Tensor.Rand([n, n], seed: 2, device: Device.Cpu));
        return Op(() => a.MatMul(b));
    }

    protected override Action AddOne()
    {
        var a = Keep(Tensor.Ones([1], Device.Cpu));
        var b = Keep(Tensor.Ones([1], Device.Cpu));
        return Op(() => a + b);
    }

    // Forward and loss, zero the gradients, backward, update: eagerly, the tape releases every
    // intermediate; replayed, the graph keeps them and the optimizer runs after each replay.
    private Action Step(Optimizer optimizer, Func<Tensor> loss)
    {
        if (!replayed)
        {
            return () =>
            {
                using var tape = Tape.Begin();
                var value = loss();
                optimizer.ZeroGrad();
                value.Backward();
                optimizer.Step();
            };
        }

        optimizer.ZeroGrad();
        var graph = Keep(KernelGraph.Capture(() =>
        {
            var value = loss();
            value.Backward();
            return value;
        }));
        return () =>
        {
            optimizer.ZeroGrad();
            graph.Replay();
            optimizer.Step();
        };
    }

    /// <summary>The 784-256-128-10 MLP with its optimizer ("sgd" with momentum, or "adam") and the loss of a fixed batch.</summary>
    private (Optimizer Optimizer, Func<Tensor> Loss) Mlp(int batch, string optimizerName)
    {
        var cpu = Device.Cpu;
        var model = new Sequential(
            new Linear(784, 256, cpu, seed: 1),
            new ReLU(),
            new Linear(256, 128, cpu, seed: 2),
            new ReLU(),
            new Linear(128, 10, cpu, seed: 3));
        Optimizer optimizer = optimizerName == "sgd"
            ? new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9)
            : new Adam(model.Parameters(), lr: 1e-3);
        var x = Keep(Tensor.Rand([batch, 784], seed: 1, device: cpu));
        var y = Keep(Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % 10))], new Shape(batch), cpu));
        return (optimizer, () => Loss.CrossEntropy(model.Forward(x), y));
    }

    private Action Op(Func<Tensor> op)
    {
        if (!replayed)
        {
            return () => op().Dispose();
        }

        var graph = Keep(KernelGraph.Capture(op));
        return graph.Replay;
    }
}
