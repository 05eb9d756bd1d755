using System.Buffers;
using TensorGrad.Distributed.Mpi;

namespace TensorGrad.Distributed;

/// <summary>
/// The processes of a data-parallel job and the collectives between them, over MPI
/// (<c>MPI_COMM_WORLD</c> of Open MPI's <c>libmpi.so.40</c>). <see cref="Init"/> joins the job
/// when the program was started by <c>mpirun</c> or <c>srun</c>, and otherwise gives a group of
/// one process in which every collective returns its input (so the same program runs alone).
/// </summary>
/// <remarks>
/// Every rank must call the same collectives in the same order, from the thread that called
/// <see cref="Init"/>. In a job of several processes an unhandled exception on any rank prints
/// that rank's message and aborts the whole job (<c>MPI_Abort</c>), so the other ranks do not
/// wait forever in a collective; call <see cref="Abort"/> to do the same from a handler.
/// </remarks>
public sealed unsafe class ProcessGroup : IDisposable
{
    private static readonly Lock Gate = new();
    private static ProcessGroup? world;

    private readonly MpiLibrary? mpi;
    private bool disposed;

    private ProcessGroup(MpiLibrary? mpi)
    {
        this.mpi = mpi;
        Rank = mpi?.Rank() ?? 0;
        Size = mpi?.Size() ?? 1;
    }

    /// <summary>This process's index in the job, 0 to <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>Number of processes in the job.</summary>
    public int Size { get; }

    /// <summary>True on rank 0, the rank that reports, writes checkpoints and broadcasts the initial weights.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>True when the collectives go through MPI; false in the single-process group.</summary>
    public bool UsesMpi => mpi is not null;

    /// <summary>
    /// The job's group: joins the MPI job (<c>MPI_Init_thread</c>) the first time when the process
    /// was started by an MPI launcher, else a group of one process. Later calls return the same group.
    /// </summary>
    /// <exception cref="DllNotFoundException">Started by a launcher, but Open MPI is not installed.</exception>
    public static ProcessGroup Init()
    {
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(world?.disposed ?? false, typeof(ProcessGroup));
            if (world is null)
            {
                MpiLibrary? library = null;
                if (Launcher.StartedByMpi)
                {
                    library = MpiLibrary.Load();
                    library.Init();
                }

                world = new ProcessGroup(library);
                if (world.Size > 1)
                {
                    AppDomain.CurrentDomain.UnhandledException += world.AbortOnUnhandled;
                }
            }

            return world;
        }
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier() => Mpi()?.Barrier();

    /// <summary>
    /// Copies <paramref name="values"/> of rank <paramref name="root"/> into <paramref name="values"/>
    /// of every rank. <typeparamref name="T"/> is float, double, int, long or byte.
    /// </summary>
    public void Broadcast<T>(Span<T> values, int root = 0)
        where T : unmanaged
    {
        CheckRoot(root);
        if (Mpi() is { } library)
        {
            fixed (T* data = values)
            {
                library.Broadcast(data, values.Length, TypeOf<T>(library), root);
            }
        }
    }

    /// <summary>
    /// Combines <paramref name="values"/> over the ranks with <paramref name="operation"/> and leaves
    /// the result in <paramref name="values"/> on every rank. <typeparamref name="T"/> is float,
    /// double, int or long.
    /// </summary>
    public void AllReduce<T>(Span<T> values, ReduceOperation operation = ReduceOperation.Sum)
        where T : unmanaged
    {
        if (Mpi() is { } library)
        {
            fixed (T* data = values)
            {
                library.AllReduce(data, values.Length, TypeOf<T>(library), OpOf(library, operation));
            }
        }
    }

    /// <summary>
    /// Starts combining <paramref name="values"/> over the ranks (a non-blocking allreduce) and
    /// returns at once; the memory stays pinned and must not be touched until the request completes.
    /// </summary>
    public AllReduceRequest AllReduceAsync<T>(Memory<T> values, ReduceOperation operation = ReduceOperation.Sum)
        where T : unmanaged
    {
        if (Mpi() is not { } library)
        {
            return AllReduceRequest.Completed;
        }

        var pin = values.Pin();
        try
        {
            nint request = library.StartAllReduce(pin.Pointer, values.Length, TypeOf<T>(library), OpOf(library, operation));
            return new AllReduceRequest(library, request, pin);
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    /// <summary>Copies the values of <paramref name="tensor"/> on rank <paramref name="root"/> into <paramref name="tensor"/> on every rank (through host memory).</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        CheckRoot(root);
        Staged(tensor, (Group: this, Root: root), static (values, s) => s.Group.Broadcast(values, s.Root), static (values, s) => s.Group.Broadcast(values, s.Root));
    }

    /// <summary>Combines <paramref name="tensor"/> over the ranks in place (through host memory).</summary>
    public void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum) =>
        Staged(tensor, (Group: this, Operation: operation), static (values, s) => s.Group.AllReduce(values, s.Operation), static (values, s) => s.Group.AllReduce(values, s.Operation));

    /// <summary>
    /// Ends the whole job: prints <paramref name="message"/> with this rank's number on standard
    /// error and calls <c>MPI_Abort</c>, which stops every rank with <paramref name="exitCode"/>.
    /// In the single-process group it exits the process.
    /// </summary>
    public void Abort(string message, int exitCode = 1)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"rank {Rank} of {Size}: {message}; aborting the job");
        Console.Error.Flush();
        mpi?.Abort(exitCode);
        Environment.Exit(exitCode);
    }

    /// <summary>Leaves the MPI job (<c>MPI_Finalize</c>); every rank calls it once, at the end.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            AppDomain.CurrentDomain.UnhandledException -= AbortOnUnhandled;
            mpi?.Shutdown();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => UsesMpi ? $"rank {Rank} of {Size} (MPI)" : "rank 0 of 1 (single process)";

    private static nint TypeOf<T>(MpiLibrary library)
        where T : unmanaged =>
        typeof(T) == typeof(float) ? library.Float
        : typeof(T) == typeof(double) ? library.Double
        : typeof(T) == typeof(int) ? library.Int
        : typeof(T) == typeof(long) ? library.Long
        : typeof(T) == typeof(byte) ? library.Byte
        : throw new NotSupportedException($"ProcessGroup: {typeof(T).Name} values are not supported; use float, double, int, long or byte.");

    private static nint OpOf(MpiLibrary library, ReduceOperation operation) => operation switch
    {
        ReduceOperation.Sum => library.Sum,
        ReduceOperation.Min => library.Min,
        ReduceOperation.Max => library.Max,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "ProcessGroup: unknown reduce operation."),
    };

    private MpiLibrary? Mpi()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return mpi;
    }

    private void CheckRoot(int root)
    {
        if ((uint)root >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"ProcessGroup: the root must be a rank in [0, {Size}).");
        }
    }

    private void Staged<TArgument>(Tensor tensor, TArgument argument, SpanAction<float, TArgument> onFloats, SpanAction<double, TArgument> onDoubles)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (Size == 1)
        {
            _ = Mpi();
            return;
        }

        if (tensor.DType == DType.Float32)
        {
            HostStaging.Run(tensor, argument, onFloats);
        }
        else
        {
            HostStaging.Run(tensor, argument, onDoubles);
        }
    }

    private void AbortOnUnhandled(object sender, UnhandledExceptionEventArgs e) => Abort($"unhandled {e.ExceptionObject}");
}
