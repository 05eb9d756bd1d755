using BenchmarkDotNet.Attributes;

namespace TensorGrad.Benchmarks;

/// <summary>
/// Fixed cost per op, on one-element tensors where the arithmetic is negligible: each
/// invocation runs <see cref="Ops"/> multiplications, so the times are per op.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OverheadBenchmarks : DeviceBenchmark
{
    private const int Ops = 1000;
    private Tensor a = null!;
    private Tensor b = null!;

    [GlobalSetup]
    public void Setup()
    {
        a = Tensor.Ones([1], Target);
        b = Tensor.Ones([1], Target);
        a.RequiresGrad = true;
        b.RequiresGrad = true;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Grad?.Dispose();
        b.Grad?.Dispose();
        a.Dispose();
        b.Dispose();
    }

    /// <summary><c>a * b</c> outside any tape: not recorded, the result is disposed.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void Unrecorded()
    {
        for (int i = 0; i < Ops; i++)
        {
            (a * b).Dispose();
        }

        Synchronize();
    }

    /// <summary><c>a * b</c> recorded on a tape, which releases the results when disposed.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void Recorded()
    {
        using var tape = Tape.Begin();
        for (int i = 0; i < Ops; i++)
        {
            _ = a * b;
        }

        Synchronize();
    }

    /// <summary>A recorded chain <c>x = x * b</c> of <see cref="Ops"/> ops, then one backward pass through all of them.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void RecordedWithBackward()
    {
        using var tape = Tape.Begin();
        var x = a;
        for (int i = 0; i < Ops; i++)
        {
            x *= b;
        }

        x.Backward();

        Synchronize();
    }
}
