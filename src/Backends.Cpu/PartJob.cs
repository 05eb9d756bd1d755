using System.Runtime.ExceptionServices;

namespace TensorGrad.Backends.Cpu;

/// <summary>
/// Runs <c>body(state, part)</c> for every part in [0, parts) on the calling thread plus idle
/// <see cref="CpuWorkers"/> helpers, and returns when all parts are done. Parts are claimed through
/// an atomic counter, so a helper that starts late finds nothing left, and with every helper busy
/// (a part that itself runs parts) the caller does them all. The counter carries the run's
/// generation, so a helper that wakes after the run ended claims nothing, and the job goes back to
/// its pool as soon as the caller returns: a steady stream of calls allocates nothing. An exception
/// in any part is rethrown on the caller after the others finish.
/// </summary>
internal sealed class PartJob<TState> : IHelperWork
{
    // Recycled jobs, one per level of nesting (a part that runs parts of the same kind).
    private static readonly PartJob<TState>?[] Spares = new PartJob<TState>?[8];

    private TState state = default!;
    private Action<TState, int> body = null!;
    private int parts;
    private int pendingParts;
    private int generation;

    // The generation in the high 32 bits, the next unclaimed part in the low 32.
    private long claims;
    private ExceptionDispatchInfo? failure;

    /// <summary>Runs every part; <paramref name="body"/> should be a static lambda so the call allocates nothing.</summary>
    public static void Run(int parts, TState state, Action<TState, int> body)
    {
        var job = Rent();
        int run = unchecked(++job.generation);

        // The new generation goes into the claims before any field changes: a helper still holding
        // an earlier run's ticket then finds another generation and leaves, instead of claiming a
        // part of this run against the previous run's claims (which ran a part twice and left the
        // pending count short of zero, so the caller waited forever). No part can be claimed
        // until the fields are set and the claims reopened at part 0.
        Volatile.Write(ref job.claims, ((long)run << 32) | int.MaxValue);
        job.state = state;
        job.body = body;
        job.parts = parts;
        job.pendingParts = parts;
        job.failure = null;
        Volatile.Write(ref job.claims, (long)run << 32);
        for (int i = 1; i < parts; i++)
        {
            if (!CpuWorkers.TryPost(job, run))
            {
                break; // every helper is busy: the caller claims the remaining parts itself
            }
        }

        job.Work(run);
        var spin = default(SpinWait);
        while (Volatile.Read(ref job.pendingParts) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        var failed = job.failure;
        job.state = default!;
        Return(job);
        failed?.Throw();
    }

    /// <summary>Entry point of a helper, for the run <paramref name="ticket"/> it was posted for.</summary>
    void IHelperWork.Execute(int ticket) => Work(ticket);

    private void Work(int run)
    {
        while (true)
        {
            long current = Volatile.Read(ref claims);
            int part = unchecked((int)current);
            if ((int)(current >> 32) != run || part >= parts)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref claims, current + 1, current) != current)
            {
                continue;
            }

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

    private static void Return(PartJob<TState> job)
    {
        for (int i = 0; i < Spares.Length; i++)
        {
            if (Interlocked.CompareExchange(ref Spares[i], job, null) is null)
            {
                return;
            }
        }
    }
}
