using BenchmarkDotNet.Attributes;

namespace TensorGrad.Benchmarks;

/// <summary>Elementwise ops on 1M float32 values, outside any tape; each result is disposed so its buffer returns to the pool.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ElementwiseBenchmarks : DeviceBenchmark
{
    private const int Size = 1 << 20;
    private Tensor a = null!;
    private Tensor b = null!;

    [GlobalSetup]
    public void Setup()
    {
        a = Tensor.Rand([Size], new Random(1), low: -1, high: 1, device: Target);
        b = Tensor.Rand([Size], new Random(2), low: -1, high: 1, device: Target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Dispose();
        b.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Add()
    {
        (a + b).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void Mul()
    {
        (a * b).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void Sigmoid()
    {
        a.Sigmoid().Dispose();
        Synchronize();
    }

    [Benchmark]
    public void Relu()
    {
        a.Relu().Dispose();
        Synchronize();
    }
}
