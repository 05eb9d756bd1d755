using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace TensorGrad.Benchmarks;

/// <summary>Square matrix products C = A·B of [n, n] float32 matrices (2·n³ flops each).</summary>
[MemoryDiagnoser]
[MedianColumn]
[GFlopsColumn]
public class GemmBenchmarks : DeviceBenchmark, IFlopCount
{
    private Tensor a = null!;
    private Tensor b = null!;

    [Params(64, 256, 512, 1024, 2048)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        a = Tensor.Rand([N, N], seed: 1, device: Target);
        b = Tensor.Rand([N, N], seed: 2, device: Target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Dispose();
        b.Dispose();
    }

    [Benchmark]
    public void MatMul()
    {
        a.MatMul(b).Dispose();
        Synchronize();
    }

    public double FlopsPerOperation(BenchmarkCase benchmarkCase)
    {
        double n = (int)benchmarkCase.Parameters[nameof(N)];
        return 2 * n * n * n;
    }
}
