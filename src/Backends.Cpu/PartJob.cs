using System.Runtime.ExceptionServices;

namespace TensorGrad.Backends.Cpu;

/// <summary>
/// Runs <c>body(state, part)</c> for every part in [0, parts) on the calling thread plus idle
/// <see cref="CpuWorkers"/> helpers, and returns when all parts are done. Parts are claimed through
/// an atomic counter, so a helper that starts late finds nothing left, and with every helper busy
/// (a part that itself runs parts) the caller does them all. Job objects are recycled once every participant has
/// let go of them, so a steady stream of calls allocates nothing. An exception in any part is
/// rethrown on the caller after the others finish.
/// </summary>
internal sealed class PartJob<TState> : IHelperWork
{
    // A few recycled jobs: a helper may still be letting go of the previous job when the next call starts.
    private static readonly PartJob<TState>?[] Spares = new PartJob<TState>?[8];

    private TState state = default!;
    private Action<TState, int> body = null!;
    private int parts;
    private int nextPart;
    private int pendingParts;
    private int references;
    private ExceptionDispatchInfo? failure;

    /// <summary>Runs every part; <paramref name="body"/> should be a static lambda so the call allocates nothing.</summary>
    public static void Run(int parts, TState state, Action<TState, int> body)
    {
        var job = Rent();
        job.state = state;
        job.body = body;
        job.parts = parts;
        job.nextPart = 0;
        job.pendingParts = parts;
        job.references = parts;
        job.failure = null;
        for (int i = 1; i < parts; i++)
        {
            if (!CpuWorkers.TryPost(job))
            {
                // No idle helper: the caller runs this helper's share, and lets go of it now.
                Interlocked.Decrement(ref job.references);
            }
        }

        job.Work();
        var spin = default(SpinWait);
        while (Volatile.Read(ref job.pendingParts) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        var failed = job.failure;
        job.Release();
        failed?.Throw();
    }

    /// <summary>Entry point of a helper.</summary>
    void IHelperWork.Execute()
    {
        Work();
        Release();
    }

    private void Work()
    {
        int part;
        while ((part = Interlocked.Increment(ref nextPart) - 1) < parts)
        {
            try
            {
                body(state, part);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                Interlocked.Decrement(ref pendingParts);
            }
        }
    }

    private static PartJob<TState> Rent()
    {
        for (int i = 0; i < Spares.Length; i++)
        {
            if (Interlocked.Exchange(ref Spares[i], null) is { } job)
            {
                return job;
            }
        }

        return new PartJob<TState>();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref references) != 0)
        {
            return;
        }

        state = default!;
        for (int i = 0; i < Spares.Length; i++)
        {
            if (Interlocked.CompareExchange(ref Spares[i], this, null) is null)
            {
                return;
            }
        }
    }
}
