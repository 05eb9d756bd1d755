using BenchmarkDotNet.Attributes;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Benchmarks;

/// <summary>
/// One full-batch training step of the tiny 4-8-1 sigmoid network (Linear, Sigmoid, Linear,
/// Sigmoid) with MSE and plain SGD on 100 samples of 4 features: small enough that per-op
/// overhead, not arithmetic, sets the time. The eager step is the baseline for the same step
/// replayed from a <see cref="KernelGraph"/>, which skips that overhead.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TinyTrainingStepBenchmarks : DeviceBenchmark
{
    private Sequential model = null!;
    private Sequential replayedModel = null!;
    private Sgd sgd = null!;
    private Sgd replayedSgd = null!;
    private KernelGraph graph = null!;
    private Tensor x = null!;
    private Tensor y = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = Network();
        replayedModel = Network();
        sgd = new Sgd(model.Parameters(), lr: 0.5);
        replayedSgd = new Sgd(replayedModel.Parameters(), lr: 0.5);
        x = Tensor.Randn([100, 4], seed: 3, device: Target);
        y = Tensor.Rand([100, 1], seed: 4, device: Target);
        graph = KernelGraph.Capture(() =>
        {
            var loss = Loss.Mse(replayedModel.Forward(x), y);
            loss.Backward();
            return loss;
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        graph.Dispose();
        x.Dispose();
        y.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Step()
    {
        using var tape = Tape.Begin();
        var loss = Loss.Mse(model.Forward(x), y);
        sgd.ZeroGrad();
        loss.Backward();
        sgd.Step();

        Synchronize();
    }

    [Benchmark]
    public void Replayed()
    {
        replayedSgd.ZeroGrad();
        graph.Replay();
        replayedSgd.Step();

        Synchronize();
    }

    private Sequential Network() => new(new Linear(4, 8, Target, seed: 1), new Sigmoid(), new Linear(8, 1, Target, seed: 2), new Sigmoid());
}
