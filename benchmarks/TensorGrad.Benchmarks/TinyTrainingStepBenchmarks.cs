using BenchmarkDotNet.Attributes;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Benchmarks;

/// <summary>
/// One full-batch training step of the tiny 4-8-1 sigmoid network (Linear, Sigmoid, Linear,
/// Sigmoid) with MSE and plain SGD on 100 samples of 4 features: small enough that per-op
/// overhead, not arithmetic, sets the time.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TinyTrainingStepBenchmarks : DeviceBenchmark
{
    private Sequential model = null!;
    private Sgd sgd = null!;
    private Tensor x = null!;
    private Tensor y = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = new Sequential(new Linear(4, 8, Target, seed: 1), new Sigmoid(), new Linear(8, 1, Target, seed: 2), new Sigmoid());
        sgd = new Sgd(model.Parameters(), lr: 0.5);
        x = Tensor.Randn([100, 4], seed: 3, device: Target);
        y = Tensor.Rand([100, 1], seed: 4, device: Target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose();
        y.Dispose();
    }

    [Benchmark]
    public void Step()
    {
        using var tape = Tape.Begin();
        var loss = Loss.Mse(model.Forward(x), y);
        sgd.ZeroGrad();
        loss.Backward();
        sgd.Step();

        Synchronize();
    }
}
