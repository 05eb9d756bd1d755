using BenchmarkDotNet.Attributes;
using TensorGrad.Backends;

namespace TensorGrad.Benchmarks;

/// <summary>
/// Dropout(0.2) outside any tape (the result disposed each time) on the hidden activations of the
/// peers' BatchNorm MLP ([128, 256]) and on a larger [512, 1024] batch: each call draws a fresh
/// Philox mask and applies it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class DropoutBenchmarks : DeviceBenchmark
{
    private readonly RandomStream stream = new(7);
    private Tensor hidden = null!;
    private Tensor large = null!;

    [GlobalSetup]
    public void Setup()
    {
        hidden = Tensor.Rand([128, 256], new Random(1), low: -1, high: 1, device: Target);
        large = Tensor.Rand([512, 1024], new Random(2), low: -1, high: 1, device: Target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        hidden.Dispose();
        large.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Hidden128x256()
    {
        hidden.Dropout(0.2, stream).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void Large512x1024()
    {
        large.Dropout(0.2, stream).Dispose();
        Synchronize();
    }
}
