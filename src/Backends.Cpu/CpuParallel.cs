namespace TensorGrad.Backends.Cpu;

/// <summary>Splits a range over the cores only when each part gets at least a grain of work.</summary>
internal static class CpuParallel
{
    /// <summary>Elements per part for memory-bound elementwise kernels.</summary>
    public const long ElementGrain = 1 << 16;

    /// <summary>
    /// Runs <paramref name="body"/>(state, start, end) over [0, n) in up to one part per core.
    /// Pass a static lambda: small ranges then run inline without allocating.
    /// </summary>
    public static void For<TState>(long n, long grain, TState state, Action<TState, long, long> body)
    {
        if (n <= 0)
        {
            return;
        }

        long parts = Math.Min(Environment.ProcessorCount, grain <= 0 ? n : n / grain);
        if (parts <= 1)
        {
            body(state, 0, n);
            return;
        }

        Split(n, parts, state, body);
    }

    /// <summary>
    /// The parallel branch, kept out of <see cref="For{TState}"/>: a lambda's closure is allocated
    /// on entry to the method that declares the captured variables, so the inline path must not
    /// share a method with it.
    /// </summary>
    private static void Split<TState>(long n, long parts, TState state, Action<TState, long, long> body) =>
        Parallel.For(0, (int)parts, part => body(state, n * part / parts, n * (part + 1) / parts));
}
