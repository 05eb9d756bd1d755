using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Peers;

/// <summary>The workloads on TensorGrad's CPU backend.</summary>
public sealed class TensorGradPeer : InProcessPeer
{
    public override string Name => "TensorGrad";

    public override string Description => $"TensorGrad {typeof(Tensor).Assembly.GetName().Version} (CPU backend, {Environment.ProcessorCount} threads)";

    protected override Action MlpStep(int batch, string optimizerName)
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
        return () => Step(optimizer, () => Loss.CrossEntropy(model.Forward(x), y));
    }

    protected override Action TinyStep()
    {
        var cpu = Device.Cpu;
        var model = new Sequential(new Linear(4, 8, cpu, seed: 1), new Sigmoid(), new Linear(8, 1, cpu, seed: 2), new Sigmoid());
        var sgd = new Sgd(model.Parameters(), lr: 0.5);
        var x = Keep(Tensor.Randn([4, 4], seed: 3, device: cpu));
        var y = Keep(Tensor.Rand([4, 1], seed: 4, device: cpu));
        return () => Step(sgd, () => Loss.Mse(model.Forward(x), y));
    }

    protected override Action Sgemm(int n)
    {
        var a = Keep(Tensor.Rand([n, n], seed: 1, device: Device.Cpu));
        var b = Keep(Tensor.Rand([n, n], seed: 2, device: Device.Cpu));
        return () => a.MatMul(b).Dispose();
    }

    protected override Action AddOne()
    {
        var a = Keep(Tensor.Ones([1], Device.Cpu));
        var b = Keep(Tensor.Ones([1], Device.Cpu));
        return () => (a + b).Dispose();
    }

    // Forward and loss, zero the gradients, backward, update; the tape releases every intermediate.
    private static void Step(Optimizer optimizer, Func<Tensor> loss)
    {
        using var tape = Tape.Begin();
        var value = loss();
        optimizer.ZeroGrad();
        value.Backward();
        optimizer.Step();
    }
}
