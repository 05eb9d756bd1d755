using BenchmarkDotNet.Attributes;

namespace TensorGrad.Benchmarks;

/// <summary>
/// Pooling of a [8, 64, 112, 112] float32 batch: outside any tape (the result disposed each
/// time) ResNet's stem max pooling (3×3, stride 2, padding 1), a 3×3 stride-1 average pooling,
/// and LeNet's 2×2 max pooling; and the first two with their backward pass (pooling, sum and
/// gradient on a tape).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PoolingBenchmarks : DeviceBenchmark
{
    private Tensor x = null!;
    private Tensor leaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        x = Tensor.Rand([8, 64, 112, 112], new Random(1), low: -1, high: 1, device: Target);
        leaf = Tensor.Rand([8, 64, 112, 112], new Random(2), low: -1, high: 1, device: Target);
        leaf.RequiresGrad = true;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose();
        leaf.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void MaxPool2x2()
    {
        x.MaxPool2d(2).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void MaxPool3x3Stride2()
    {
        x.MaxPool2d(3, 2, 1).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void AvgPool3x3Stride1()
    {
        x.AvgPool2d(3, 1, 1).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void MaxPool3x3Stride2Backward() => Backward(static t => t.MaxPool2d(3, 2, 1));

    [Benchmark]
    public void AvgPool3x3Stride1Backward() => Backward(static t => t.AvgPool2d(3, 1, 1));

    // The pooling, a sum and the backward pass on a tape; the gradient is released afterwards.
    private void Backward(Func<Tensor, Tensor> pool)
    {
        using (var tape = Tape.Begin())
        {
            pool(leaf).Sum().Backward();
        }

        leaf.Grad?.Dispose();
        leaf.Grad = null;
        Synchronize();
    }
}
