using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Peers;

/// <summary>
/// The machine's float32 fused multiply-add peak: 12 independent FMA chains on the widest vectors
/// the JIT accelerates (Vector512, else Vector256 with FMA), enough to keep every FMA port busy,
/// with nothing loaded from memory. Timed like the workloads (<see cref="TimingSettings"/>), on one
/// thread and on all of them at once (one kernel call per thread through <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>,
/// as TensorGrad's CPU kernels split their work).
/// </summary>
public static class FmaPeak
{
    private const int Chains = 12;

    // FMA iterations per kernel call: 2^16 · 12 chains · 16 lanes · 2 = 25 MFLOP with Vector512, about 0.25 ms on a 100 GFLOP/s core.
    private const long Iterations = 1 << 16;
    private static float sink;

    /// <summary>Whether the peak can be measured: Vector512, or Vector256 with hardware FMA.</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated || (Vector256.IsHardwareAccelerated && Fma.IsSupported);

    /// <summary>The vector instructions the kernel uses, e.g. <c>AVX-512</c>.</summary>
    public static string Simd => Vector512.IsHardwareAccelerated ? "AVX-512" : IsSupported ? "AVX2 + FMA" : "no vector FMA";

    private static double FlopsPerCall => Iterations * Chains * 2.0 * (Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count);

    /// <summary>GFLOP/s of the kernel on <paramref name="threads"/> threads together (1: the peak of one core).</summary>
    /// <exception cref="NotSupportedException">Neither Vector512 nor Vector256 with FMA is accelerated.</exception>
    public static double MeasureGflops(int threads, TimingSettings timing)
    {
        if (!IsSupported)
        {
            throw new NotSupportedException("Measuring the FMA peak needs Vector512 or Vector256 with FMA.");
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        double seconds = threads == 1
            ? timing.MedianSecondsPerCall(() => Volatile.Write(ref sink, Kernel()))
            : timing.MedianSecondsPerCall(() => Parallel.For(0, threads, options, _ => Volatile.Write(ref sink, Kernel())));
        return threads * FlopsPerCall / seconds / 1e9;
    }

    private static float Kernel() => Vector512.IsHardwareAccelerated ? Kernel512(Iterations) : Kernel256(Iterations);

    // c = c·m + a converges to a / (1 - m) ≈ 1: no overflow, no denormals.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-6f);
        Vector512<float> c0 = Vector512.Create(0.1f), c1 = Vector512.Create(0.2f), c2 = Vector512.Create(0.3f), c3 = Vector512.Create(0.4f);
        Vector512<float> c4 = Vector512.Create(0.5f), c5 = Vector512.Create(0.6f), c6 = Vector512.Create(0.7f), c7 = Vector512.Create(0.8f);
        Vector512<float> c8 = Vector512.Create(0.9f), c9 = Vector512.Create(1.1f), c10 = Vector512.Create(1.2f), c11 = Vector512.Create(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a);
            c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a);
            c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a);
            c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a);
            c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a);
            c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a);
            c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-6f);
        Vector256<float> c0 = Vector256.Create(0.1f), c1 = Vector256.Create(0.2f), c2 = Vector256.Create(0.3f), c3 = Vector256.Create(0.4f);
        Vector256<float> c4 = Vector256.Create(0.5f), c5 = Vector256.Create(0.6f), c6 = Vector256.Create(0.7f), c7 = Vector256.Create(0.8f);
        Vector256<float> c8 = Vector256.Create(0.9f), c9 = Vector256.Create(1.1f), c10 = Vector256.Create(1.2f), c11 = Vector256.Create(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a);
            c1 = Fma.MultiplyAdd(c1, m, a);
            c2 = Fma.MultiplyAdd(c2, m, a);
            c3 = Fma.MultiplyAdd(c3, m, a);
            c4 = Fma.MultiplyAdd(c4, m, a);
            c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a);
            c7 = Fma.MultiplyAdd(c7, m, a);
            c8 = Fma.MultiplyAdd(c8, m, a);
            c9 = Fma.MultiplyAdd(c9, m, a);
            c10 = Fma.MultiplyAdd(c10, m, a);
            c11 = Fma.MultiplyAdd(c11, m, a);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
