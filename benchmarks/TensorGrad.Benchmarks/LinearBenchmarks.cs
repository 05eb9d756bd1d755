using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using TensorGrad.Nn;

namespace TensorGrad.Benchmarks;

/// <summary>
/// Inference through <c>Linear(784, 256)</c>: the layer multiplies by its transposed weight
/// without copying it, against the same layer written with the public ops, x·Transpose(W) + b,
/// where Transpose() copies the weight on every call.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GFlopsColumn]
public class LinearBenchmarks : DeviceBenchmark, IFlopCount
{
    private Linear layer = null!;
    private Tensor x = null!;

    [Params(1, 4, 128)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        layer = new Linear(784, 256, Target, seed: 1);
        x = Tensor.Rand([Batch, 784], seed: 2, device: Target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose();
        layer.Weight.Dispose();
        layer.Bias?.Dispose();
    }

    // Results (and the intermediate product) belong to the tape, which releases them.
    [Benchmark(Baseline = true)]
    public void Forward()
    {
        using var tape = Tape.Begin();
        using var noGrad = Tape.NoGrad();
        layer.Forward(x);

        Synchronize();
    }

    [Benchmark]
    public void MatMulTranspose()
    {
        using var tape = Tape.Begin();
        using var noGrad = Tape.NoGrad();
        _ = x.MatMul(layer.Weight.Transpose()) + layer.Bias!;

        Synchronize();
    }

    public double FlopsPerOperation(BenchmarkCase benchmarkCase) => 2.0 * (int)benchmarkCase.Parameters[nameof(Batch)] * 784 * 256;
}
