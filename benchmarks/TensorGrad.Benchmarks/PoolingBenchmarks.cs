using BenchmarkDotNet.Attributes;

namespace TensorGrad.Benchmarks;

/// <summary>
/// Pooling of a [8, 64, 112, 112] float32 batch: outside any tape (the result disposed each
/// time) ResNet's stem max pooling (3×3, stride 2, padding 1), a 3×3 stride-1 average pooling,
/// and a 2×2 max pooling; and the first two with their backward pass (pooling, sum and
/// gradient on a tape). LeNet's second 2×2 max pooling, of [64, 64, 8, 8], forward and backward:
/// many small planes.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PoolingBenchmarks : DeviceBenchmark
{
    private Tensor x = null!;
    private Tensor leaf = null!;
    private Tensor small = null!;
    private Tensor smallLeaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        x = Tensor.Rand([8, 64, 112, 112], new Random(1), low: -1, high: 1, device: Target);
        leaf = Tensor.Rand([8, 64, 112, 112], new Random(2), low: -1, high: 1, device: Target);
        leaf.RequiresGrad = true;
        small = Tensor.Rand([64, 64, 8, 8], new Random(3), low: -1, high: 1, device: Target);
        smallLeaf = Tensor.Rand([64, 64, 8, 8], new Random(4), low: -1, high: 1, device: Target);
        smallLeaf.RequiresGrad = true;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose();
        leaf.Dispose();
        small.Dispose();
        smallLeaf.Dispose();
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
    public void MaxPool3x3Stride2Backward() => Backward(leaf, static t => t.MaxPool2d(3, 2, 1));

    [Benchmark]
    public void AvgPool3x3Stride1Backward() => Backward(leaf, static t => t.AvgPool2d(3, 1, 1));

    [Benchmark]
    public void MaxPool2x2SmallPlanes()
    {
        small.MaxPool2d(2).Dispose();
        Synchronize();
    }

    [Benchmark]
    public void MaxPool2x2SmallPlanesBackward() => Backward(smallLeaf, static t => t.MaxPool2d(2));

    // The pooling, a sum and the backward pass on a tape; the gradient is released afterwards.
    private void Backward(Tensor input, Func<Tensor, Tensor> pool)
    {
        using (var tape = Tape.Begin())
        {
            pool(input).Sum().Backward();
        }

        input.Grad?.Dispose();
        input.Grad = null;
        Synchronize();
    }
}
