using BenchmarkDotNet.Attributes;
using TensorGrad.Nn;

namespace TensorGrad.Benchmarks;

/// <summary>Reductions of a [1024, 1024] float32 matrix, and softmax cross-entropy of [512, 10] logits.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ReductionBenchmarks : DeviceBenchmark
{
    private Tensor x = null!;
    private Tensor logits = null!;
    private Tensor classIds = null!;

    [GlobalSetup]
    public void Setup()
    {
        x = Tensor.Rand([1024, 1024], new Random(1), low: -1, high: 1, device: Target);
        logits = Tensor.Randn([512, 10], seed: 2, device: Target);
        classIds = Tensor.FromArray([.. Enumerable.Range(0, 512).Select(i => (float)(i % 10))], new Shape(512), Target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose();
        logits.Dispose();
        classIds.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Sum()
    {
        x.Sum().Dispose();
        Synchronize();
    }

    [Benchmark]
    public void MeanAxis0()
    {
        x.Mean(axis: 0).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void MeanAxis1()
    {
        x.Mean(axis: 1).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void Max()
    {
        x.Max().Dispose();
        Synchronize();
    }

    // The loss makes intermediates (per-row losses, probabilities) that only a tape releases;
    // nothing is recorded since the logits do not require gradients.
    [Benchmark]
    public void CrossEntropy()
    {
        using var tape = Tape.Begin();
        Loss.CrossEntropy(logits, classIds);

        Synchronize();
    }
}
