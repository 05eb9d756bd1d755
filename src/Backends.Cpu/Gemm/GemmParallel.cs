using System.Numerics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>One GEMM call's operands as pinned pointers; valid while the caller keeps them fixed.</summary>
internal readonly unsafe struct GemmProblem<T>(
    T* a, T* b, T* c, int m, int n, int k, bool transA, bool transB, T alpha, T beta)
    where T : unmanaged
{
    public readonly T* A = a;
    public readonly T* B = b;
    public readonly T* C = c;
    public readonly int M = m;
    public readonly int N = n;
    public readonly int K = k;
    public readonly bool TransA = transA;
    public readonly bool TransB = transB;
    public readonly T Alpha = alpha;
    public readonly T Beta = beta;
}

/// <summary>
/// Splits C into a grid of independent blocks (one per participating core) and runs them on the
/// calling thread plus thread-pool helpers. Small products stay on the calling thread. Job objects
/// are recycled, so steady-state calls allocate nothing.
/// </summary>
internal static class GemmParallel
{
    // Below this many flops per extra thread, waking a helper costs more than it saves.
    private const double MinFlopsPerThread = 2e6;

    /// <summary>Computes the whole product, in parallel when it is large enough.</summary>
    public static void Run<T>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double flops = 2.0 * p.M * p.N * p.K;
        int rowUnits = (p.M + CpuGemm.Blocking<T>.Mr - 1) / CpuGemm.Blocking<T>.Mr;
        int colUnits = (p.N + CpuGemm.Blocking<T>.Nr - 1) / CpuGemm.Blocking<T>.Nr;
        int threads = (int)Math.Min(Environment.ProcessorCount, Math.Max(1.0, flops / MinFlopsPerThread));
        threads = Math.Min(threads, rowUnits * colUnits);
        if (threads <= 1)
        {
            CpuGemm.RunBlock(in p, 0, p.M, 0, p.N);
            return;
        }

        (int rowParts, int colParts) = ChooseGrid(threads, rowUnits, colUnits);
        GemmJob<T>.Run(in p, rowParts, colParts);
    }

    /// <summary>Half-open range of part <paramref name="index"/> of <paramref name="parts"/>, aligned to <paramref name="unit"/>.</summary>
    public static (int Start, int End) Split(int total, int unit, int parts, int index)
    {
        long units = (total + unit - 1) / unit;
        int start = (int)(units * index / parts) * unit;
        int end = (int)Math.Min(total, units * (index + 1) / parts * unit);
        return (start, end);
    }

    // Picks rowParts × colParts ≤ threads (using as many as possible; never more parts than tiles, so
    // no part is empty) minimising the block perimeter, i.e. the packing traffic each block repeats.
    private static (int RowParts, int ColParts) ChooseGrid(int threads, int rowUnits, int colUnits)
    {
        (int, int) best = (1, 1);
        double bestCost = double.MaxValue;
        for (int rows = 1; rows <= Math.Min(threads, rowUnits); rows++)
        {
            int cols = Math.Min(threads / rows, colUnits);
            double cost = ((double)rowUnits / rows) + ((double)colUnits / cols);
            if ((rows * cols > best.Item1 * best.Item2) || (rows * cols == best.Item1 * best.Item2 && cost < bestCost))
            {
                best = (rows, cols);
                bestCost = cost;
            }
        }

        return best;
    }
}

/// <summary>
/// A parallel GEMM in flight: parts are claimed through an atomic counter by the caller and by
/// queued helpers, so a helper that starts late just finds nothing left. The object is recycled once
/// every participant has let go of it.
/// </summary>
internal sealed class GemmJob<T> : IThreadPoolWorkItem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // A few recycled jobs: a helper may still be releasing the previous job when the next call starts.
    private static readonly GemmJob<T>?[] s_spares = new GemmJob<T>?[8];

    private GemmProblem<T> _problem;
    private int _rowParts;
    private int _parts;
    private int _nextPart;
    private int _pendingParts;
    private int _references;

    /// <summary>Runs the problem split into a rowParts × colParts grid; returns when C is complete.</summary>
    public static void Run(in GemmProblem<T> problem, int rowParts, int colParts)
    {
        GemmJob<T> job = Rent();
        job._problem = problem;
        job._rowParts = rowParts;
        job._parts = rowParts * colParts;
        job._nextPart = 0;
        job._pendingParts = job._parts;
        job._references = job._parts;
        for (int i = 1; i < job._parts; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        }

        job.Work();
        SpinWait spin = default;
        while (Volatile.Read(ref job._pendingParts) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        job.Release();
    }

    /// <summary>Thread-pool entry point of a helper.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        Work();
        Release();
    }

    private void Work()
    {
        int colParts = _parts / _rowParts;
        int part;
        while ((part = Interlocked.Increment(ref _nextPart) - 1) < _parts)
        {
            ref readonly GemmProblem<T> p = ref _problem;
            (int i0, int i1) = GemmParallel.Split(p.M, CpuGemm.Blocking<T>.Mr, _rowParts, part / colParts);
            (int j0, int j1) = GemmParallel.Split(p.N, CpuGemm.Blocking<T>.Nr, colParts, part % colParts);
            CpuGemm.RunBlock(in p, i0, i1, j0, j1);
            Interlocked.Decrement(ref _pendingParts);
        }
    }

    private static GemmJob<T> Rent()
    {
        for (int i = 0; i < s_spares.Length; i++)
        {
            if (Interlocked.Exchange(ref s_spares[i], null) is { } job)
            {
                return job;
            }
        }

        return new GemmJob<T>();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        for (int i = 0; i < s_spares.Length; i++)
        {
            if (Interlocked.CompareExchange(ref s_spares[i], this, null) is null)
            {
                return;
            }
        }
    }
}
