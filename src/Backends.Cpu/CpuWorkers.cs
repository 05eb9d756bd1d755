using System.Diagnostics;

namespace TensorGrad.Backends.Cpu;

/// <summary>Work a <see cref="CpuWorkers"/> helper thread runs.</summary>
internal interface IHelperWork
{
    /// <summary>Runs on the helper thread, with the ticket it was posted with.</summary>
    void Execute(int ticket);
}

/// <summary>
/// The CPU backend's own helper threads, one per core beyond the caller's, as BLAS and OpenMP
/// runtimes keep. A helper that finishes spins for <see cref="SpinMicroseconds"/> before it
/// blocks, so the next kernel of a training step finds it awake (waking a blocked thread, or a
/// thread-pool thread, takes microseconds, which is the whole kernel for small tensors). Handing
/// over work allocates nothing: no queue, just a slot per helper.
/// </summary>
internal static class CpuWorkers
{
    /// <summary>How long an idle helper keeps checking for work before it blocks.</summary>
    public const int SpinMicroseconds = 100;

    private static Helper[] helpers = Start(Environment.ProcessorCount - 1);

    /// <summary>Threads a kernel may split its work over: the caller and the helpers.</summary>
    public static int Threads => Volatile.Read(ref helpers).Length + 1;

    /// <summary>Hands <paramref name="work"/> to an idle helper; false when every helper is busy (the caller then does the work itself).</summary>
    public static bool TryPost(IHelperWork work, int ticket)
    {
        foreach (var helper in Volatile.Read(ref helpers))
        {
            if (helper.TryPost(work, ticket))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Replaces the helpers with <paramref name="count"/> new ones; the old ones finish what they
    /// hold and exit. For tests that run more helpers than the machine has cores.
    /// </summary>
    internal static void UseHelpers(int count)
    {
        foreach (var old in Interlocked.Exchange(ref helpers, Start(count)))
        {
            old.Retire();
        }
    }

    private static Helper[] Start(int count) => [.. Enumerable.Range(0, Math.Max(0, count)).Select(i => new Helper(i))];

    private sealed class Helper
    {
        private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

        private readonly ManualResetEventSlim signal = new(false, spinCount: 1);
        private IHelperWork? work;
        private int ticket;
        private int busy;
        private volatile bool retired;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"TensorGrad CPU helper {index + 1}" };
            thread.Start();
        }

        public bool TryPost(IHelperWork item, int itemTicket)
        {
            if (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
            {
                return false;
            }

            ticket = itemTicket;
            Volatile.Write(ref work, item);
            signal.Set();
            return true;
        }

        /// <summary>Lets the thread exit once it has no work; work posted later is left to its caller.</summary>
        public void Retire()
        {
            retired = true;
            signal.Set();
        }

        private void Loop()
        {
            while (Take() is { } item)
            {
                item.Execute(ticket);
                Volatile.Write(ref busy, 0);
            }
        }

        // Spins for a while, then blocks until a caller posts work; null once retired and idle.
        private IHelperWork? Take()
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            var spin = default(SpinWait);
            while (true)
            {
                if (Interlocked.Exchange(ref work, null) is { } item)
                {
                    return item;
                }

                if (retired)
                {
                    return null;
                }

                if (Stopwatch.GetTimestamp() < until)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
                else
                {
                    signal.Wait();
                    signal.Reset();
                }
            }
        }
    }
}
