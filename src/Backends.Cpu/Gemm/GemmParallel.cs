using System.Numerics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// One GEMM call's operands as pinned pointers; valid while the caller keeps them fixed.
/// <paramref name="packedA"/>, when given, is op(A) already packed by <see cref="CpuGemm.PackA{T}"/>
/// (for a caller that multiplies the same A many times), and the blocked path reads it instead
/// of packing A again.
/// </summary>
internal readonly unsafe struct GemmProblem<T>(
    T* a, T* b, T* c, int m, int n, int k, bool transA, bool transB, T alpha, T beta, GemmEpilogue<T> epilogue = default, T* packedA = null)
    where T : unmanaged, IFloatingPointIeee754<T>
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
    public readonly GemmEpilogue<T> Epilogue = epilogue;
    public readonly T* PackedA = packedA;
}

/// <summary>
/// Splits C into a grid of independent blocks (one per participating core) and runs them as parts
/// of a recycled <see cref="PartJob{TState}"/>. Small products stay on the calling thread.
/// </summary>
internal static unsafe class GemmParallel
{
    // Below this many flops per extra thread, handing a part to a helper costs more than it saves
    // (measured with the spinning helpers: a 32×256×128 product runs 1.7× faster on two threads).
    private const double MinFlopsPerThread = 5e5;

    /// <summary>Computes the whole product, in parallel when it is large enough.</summary>
    public static void Run<T>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(in p, new StoredB<T>(p.TransB, p.B, p.TransB ? p.K : p.N));

    /// <summary>The whole product with op(B)'s panels packed from <paramref name="source"/>.</summary>
    public static void Run<T, TSource>(in GemmProblem<T> p, in TSource source)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSource : struct, IPanelSource<T>
    {
        double flops = 2.0 * p.M * p.N * p.K;
        int rowUnits = (p.M + CpuGemm.Blocking<T>.Mr - 1) / CpuGemm.Blocking<T>.Mr;
        int colUnits = (p.N + CpuGemm.Blocking<T>.Nr - 1) / CpuGemm.Blocking<T>.Nr;
        int threads = (int)Math.Min(CpuWorkers.Threads, Math.Max(1.0, flops / MinFlopsPerThread));
        threads = Math.Min(threads, rowUnits * colUnits);
        if (threads <= 1)
        {
            CpuGemm.RunBlock(in p, in source, 0, p.M, 0, p.N);
            return;
        }

        (int rowParts, int colParts) = ChooseGrid(threads, rowUnits, colUnits);
        PartJob<(GemmProblem<T> Problem, TSource Source, int RowParts, int ColParts)>.Run(rowParts * colParts, (p, source, rowParts, colParts), static (s, part) =>
        {
            (int i0, int i1) = Split(s.Problem.M, CpuGemm.Blocking<T>.Mr, s.RowParts, part / s.ColParts);
            (int j0, int j1) = Split(s.Problem.N, CpuGemm.Blocking<T>.Nr, s.ColParts, part % s.ColParts);
            CpuGemm.RunBlock(in s.Problem, in s.Source, i0, i1, j0, j1);
        });
    }

    /// <summary>
    /// The product of at most MR rows (one panel of op(A): a small batch through a layer) with
    /// op(B) = B stored k×n. The one panel passes over B once either way, so B is read where it
    /// lies instead of packed (a copy of B written and read again); the columns past the last
    /// whole register tile are packed. Measured on a Zen 5 for [m, 256]·[256, 784]: m = 2, 4 and 8
    /// took 32, 19 and 19 µs packed, 11, 10 and 9 µs read where it lies; on its AVX2 path (MR 6),
    /// m = 2 and 4 took 53 and 37 µs packed, 11 µs each read where it lies.
    /// </summary>
    public static void RunFewRows<T>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = CpuGemm.Blocking<T>.Nr;
        int whole = p.N / nr * nr;
        // Bound by reading B: split like an elementwise kernel over B's elements.
        long threads = Math.Min(CpuWorkers.Threads, (long)p.K * p.N / CpuParallel.ElementGrain);
        threads = Math.Max(1, Math.Min(threads, whole / nr));
        var work = (Problem: p, Direct: new DirectB<T>(p.B, p.N), Packed: new StoredB<T>(false, p.B, p.N), Whole: whole, Parts: (int)threads);
        PartJob<(GemmProblem<T> Problem, DirectB<T> Direct, StoredB<T> Packed, int Whole, int Parts)>.Run((int)threads, work, static (s, part) =>
        {
            (int j0, int j1) = Split(s.Whole, CpuGemm.Blocking<T>.Nr, s.Parts, part);
            if (j1 > j0)
            {
                CpuGemm.RunBlock(in s.Problem, in s.Direct, 0, s.Problem.M, j0, j1);
            }

            if (part == s.Parts - 1 && s.Whole < s.Problem.N)
            {
                CpuGemm.RunBlock(in s.Problem, in s.Packed, 0, s.Problem.M, s.Whole, s.Problem.N);
            }
        });
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
