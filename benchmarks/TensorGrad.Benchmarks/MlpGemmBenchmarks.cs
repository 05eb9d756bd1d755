using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace TensorGrad.Benchmarks;

/// <summary>
/// The matrix products of one training step of the 784-256-128-10 MLP at batch 128, as plain
/// [m, k]·[k, n] products of operands laid out in GlobalSetup (Transpose() copies, so it is kept out of
/// the timed code; <see cref="LinearBenchmarks"/> measures what the copy costs).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GFlopsColumn]
public class MlpGemmBenchmarks : DeviceBenchmark, IFlopCount
{
    private Tensor a = null!;
    private Tensor b = null!;

    /// <summary>
    /// Forward: x·Wᵀ per layer; backward: dW = gᵀ·x and dx = g·W (no dx for the input layer;
    /// fc2's dx is [128, 128]·[128, 256] like its dW, so it is not listed twice).
    /// </summary>
    public static IEnumerable<GemmShape> Shapes =>
    [
        new("fc1 fwd", 128, 784, 256),
        new("fc2 fwd", 128, 256, 128),
        new("fc3 fwd", 128, 128, 10),
        new("fc1 dW", 256, 128, 784),
        new("fc2 dW", 128, 128, 256),
        new("fc3 dW", 10, 128, 128),
        new("fc3 dx", 128, 10, 128),
    ];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The operands as the public API gets them: weights are stored [out, in] and need Transpose().
        a = Tensor.Rand([Shape.M, Shape.K], seed: 1, device: Target);
        using var stored = Tensor.Rand([Shape.N, Shape.K], seed: 2, device: Target);
        b = stored.Transpose();
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

    public double FlopsPerOperation(BenchmarkCase benchmarkCase) => ((GemmShape)benchmarkCase.Parameters[nameof(Shape)]).Flops;
}
