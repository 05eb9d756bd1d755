using System.Buffers;
using TensorGrad.Distributed.Mpi;

namespace TensorGrad.Distributed;

/// <summary>
/// A non-blocking allreduce in flight (<see cref="ProcessGroup.AllReduceAsync{T}"/>): its memory
/// stays pinned until <see cref="Wait"/> returns or <see cref="IsCompleted"/> turns true.
/// Disposing waits for it.
/// </summary>
public sealed class AllReduceRequest : IDisposable
{
    private readonly MpiLibrary? mpi;
    private nint request;
    private MemoryHandle pin;
    private bool done;

    internal AllReduceRequest(MpiLibrary? mpi, nint request, MemoryHandle pin)
    {
        this.mpi = mpi;
        this.request = request;
        this.pin = pin;
        done = mpi is null;
    }

    /// <summary>A request that completed before it started (the single-process group).</summary>
    internal static AllReduceRequest Completed => new(null, 0, default);

    /// <summary>Whether the result is ready; asks MPI (<c>MPI_Test</c>), which also drives the transfer forward.</summary>
    public bool IsCompleted
    {
        get
        {
            if (!done && mpi!.Test(ref request))
            {
                Complete();
            }

            return done;
        }
    }

    /// <summary>Blocks until the result is in the memory given to <see cref="ProcessGroup.AllReduceAsync{T}"/>.</summary>
    public void Wait()
    {
        if (!done)
        {
            mpi!.Wait(ref request);
            Complete();
        }
    }

    /// <summary>Waits for the request.</summary>
    public void Dispose() => Wait();

    private void Complete()
    {
        done = true;
        pin.Dispose();
    }
}
