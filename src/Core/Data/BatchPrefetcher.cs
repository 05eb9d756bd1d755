namespace TensorGrad.Data;

/// <summary>
/// A background thread that runs one gather at a time while the caller trains on the previous
/// batch. Signalling uses reusable events, so a steady epoch allocates nothing.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly Action<int, int> gather;
    private readonly Thread worker;
    private readonly ManualResetEventSlim requested = new(false);
    private readonly ManualResetEventSlim done = new(true);
    private int slot;
    private int batch;
    private bool stopping;
    private Exception? failure;

    /// <summary>Starts the worker; <paramref name="gather"/>(slot, batch) fills a host slot.</summary>
    public BatchPrefetcher(Action<int, int> gather)
    {
        this.gather = gather;
        worker = new Thread(Run) { IsBackground = true, Name = "TensorGrad batch prefetch" };
        worker.Start();
    }

    /// <summary>Queues the gather of <paramref name="batchIndex"/> into <paramref name="slotIndex"/>.</summary>
    public void Begin(int slotIndex, int batchIndex)
    {
        done.Wait();
        done.Reset();
        slot = slotIndex;
        batch = batchIndex;
        requested.Set();
    }

    /// <summary>Waits for the queued gather; rethrows its exception if it failed and <paramref name="rethrow"/> is set.</summary>
    public void Wait(bool rethrow = true)
    {
        done.Wait();
        var e = failure;
        failure = null;
        if (rethrow && e is not null)
        {
            throw new InvalidOperationException($"DataLoader: preparing batch {batch} failed: {e.Message}", e);
        }
    }

    /// <summary>Stops the worker after any queued gather.</summary>
    public void Dispose()
    {
        done.Wait();
        stopping = true;
        requested.Set();
        worker.Join();
        requested.Dispose();
        done.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            requested.Wait();
            requested.Reset();
            if (stopping)
            {
                return;
            }

            try
            {
                gather(slot, batch);
            }
            catch (Exception e)
            {
                failure = e;
            }

            done.Set();
        }
    }
}
