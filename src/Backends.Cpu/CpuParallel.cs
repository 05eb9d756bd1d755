namespace TensorGrad.Backends.Cpu;

/// <summary>Splits a range over the cores only when each part gets at least a grain of work.</summary>
internal static class CpuParallel
{
    /// <summary>Elements per part for memory-bound elementwise kernels.</summary>
    public const long ElementGrain = 1 << 16;

    /// <summary>
    /// Runs <paramref name="body"/>(state, start, end) over [0, n) in up to one part per core.
    /// Pass a static lambda: no call allocates, inline or split.
    /// </summary>
    public static void For<TState>(long n, long grain, TState state, Action<TState, long, long> body)
    {
        if (n <= 0)
        {
            return;
        }

        long parts = Math.Min(CpuWorkers.Threads, grain <= 0 ? n : n / grain);
        if (parts <= 1)
        {
            body(state, 0, n);
            return;
        }

        Split(n, parts, state, body);
    }

    /// <summary>The parallel branch: one recycled <see cref="PartJob{TState}"/> part per range.</summary>
    private static void Split<TState>(long n, long parts, TState state, Action<TState, long, long> body) =>
        PartJob<(TState State, Action<TState, long, long> Body, long N, long Parts)>.Run((int)parts, (state, body, n, parts), static (s, part) =>
            s.Body(s.State, s.N * part / s.Parts, s.N * (part + 1) / s.Parts));
}
