using BenchmarkDotNet.Attributes;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Benchmarks;

/// <summary>
/// One training step of the 784-256-128-10 MLP (Linear, ReLU, Linear, ReLU, Linear) with
/// cross-entropy: forward, zero gradients, backward and the optimizer update; SGD (lr 0.01,
/// momentum 0.9) is the baseline for Adam, for the same SGD step replayed from a <see cref="KernelGraph"/>,
/// and for both optimizers stepping in the backward pass (<see cref="Optimizer.StepInBackward"/>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TrainingStepBenchmarks : DeviceBenchmark
{
    private Sequential sgdModel = null!;
    private Sequential adamModel = null!;
    private Sequential replayedModel = null!;
    private Sgd sgd = null!;
    private Adam adam = null!;
    private Sgd replayedSgd = null!;
    private Sequential sgdInBackwardModel = null!;
    private Sequential adamInBackwardModel = null!;
    private IDisposable[] inBackward = [];
    private KernelGraph graph = null!;
    private Tensor x = null!;
    private Tensor y = null!;

    [Params(1, 4, 32, 128, 512)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        sgdModel = Mlp(Target);
        adamModel = Mlp(Target);
        sgd = new Sgd(sgdModel.Parameters(), lr: 0.01, momentum: 0.9);
        adam = new Adam(adamModel.Parameters());
        x = Tensor.Rand([Batch, 784], seed: 1, device: Target);
        y = Tensor.FromArray([.. Enumerable.Range(0, Batch).Select(i => (float)(i % 10))], new Shape(Batch), Target);
        sgdInBackwardModel = Mlp(Target);
        adamInBackwardModel = Mlp(Target);
        inBackward =
        [
            new Sgd(sgdInBackwardModel.Parameters(), lr: 0.01, momentum: 0.9).StepInBackward(),
            new Adam(adamInBackwardModel.Parameters()).StepInBackward(),
        ];
        replayedModel = Mlp(Target);
        replayedSgd = new Sgd(replayedModel.Parameters(), lr: 0.01, momentum: 0.9);
        graph = KernelGraph.Capture(() =>
        {
            var loss = Loss.CrossEntropy(replayedModel.Forward(x), y);
            loss.Backward();
            return loss;
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Array.ForEach(inBackward, handle => handle.Dispose());
        graph.Dispose();
        x.Dispose();
        y.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Sgd()
    {
        Step(sgdModel, sgd);
        Synchronize();
    }

    [Benchmark]
    public void Adam()
    {
        Step(adamModel, adam);
        Synchronize();
    }

    [Benchmark]
    public void SgdReplayed()
    {
        replayedSgd.ZeroGrad();
        graph.Replay();
        replayedSgd.Step();
        Synchronize();
    }

    [Benchmark]
    public void SgdInBackward()
    {
        StepInBackward(sgdInBackwardModel);
        Synchronize();
    }

    [Benchmark]
    public void AdamInBackward()
    {
        StepInBackward(adamInBackwardModel);
        Synchronize();
    }

    internal static Sequential Mlp(Device device) => new(
        new Linear(784, 256, device, seed: 1),
        new ReLU(),
        new Linear(256, 128, device, seed: 2),
        new ReLU(),
        new Linear(128, 10, device, seed: 3));

    private void Step(Sequential model, Optimizer optimizer)
    {
        using var tape = Tape.Begin();
        var loss = Loss.CrossEntropy(model.Forward(x), y);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
    }

    private void StepInBackward(Sequential model)
    {
        using var tape = Tape.Begin();
        Loss.CrossEntropy(model.Forward(x), y).Backward();
    }
}
