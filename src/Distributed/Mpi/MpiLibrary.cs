using System.Runtime.InteropServices;

namespace TensorGrad.Distributed.Mpi;

/// <summary>
/// The MPI calls TensorGrad needs, bound at run time to Open MPI's <c>libmpi.so.40</c>. Open MPI's
/// handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are the addresses of its
/// exported globals (<c>ompi_mpi_comm_world</c>, …), and every call returns an error code that
/// <see cref="Check"/> turns into an <see cref="MpiException"/>.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The shared library every Open MPI 4 and 5 installation provides.</summary>
    public const string LibraryName = "libmpi.so.40";

    /// <summary>Environment variable naming another path of Open MPI's library (e.g. an installation outside the loader's path).</summary>
    public const string LibraryVariable = "TENSORGRAD_MPI_LIBRARY";

    /// <summary><c>MPI_IN_PLACE</c> in Open MPI: the address 1.</summary>
    public static readonly nint InPlace = 1;

    private const int Success = 0;
    private const int ThreadFunneled = 1;

    private readonly delegate* unmanaged<int*, int> initialized;
    private readonly delegate* unmanaged<int*, int> finalized;
    private readonly delegate* unmanaged<int*, byte***, int, int*, int> initThread;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<nint, int*, int> commRank;
    private readonly delegate* unmanaged<nint, int*, int> commSize;
    private readonly delegate* unmanaged<nint, int> barrier;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> bcast;
    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> allreduce;
    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> iallreduce;
    private readonly delegate* unmanaged<nint*, void*, int> wait;
    private readonly delegate* unmanaged<nint*, int*, void*, int> test;
    private readonly delegate* unmanaged<nint, int, int> abort;
    private readonly delegate* unmanaged<int, byte*, int*, int> errorString;

    private MpiLibrary(nint library)
    {
        initialized = (delegate* unmanaged<int*, int>)Export(library, "MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)Export(library, "MPI_Finalized");
        initThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(library, "MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)Export(library, "MPI_Finalize");
        commRank = (delegate* unmanaged<nint, int*, int>)Export(library, "MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)Export(library, "MPI_Comm_size");
        barrier = (delegate* unmanaged<nint, int>)Export(library, "MPI_Barrier");
        bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export(library, "MPI_Bcast");
        allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export(library, "MPI_Allreduce");
        iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export(library, "MPI_Iallreduce");
        wait = (delegate* unmanaged<nint*, void*, int>)Export(library, "MPI_Wait");
        test = (delegate* unmanaged<nint*, int*, void*, int>)Export(library, "MPI_Test");
        abort = (delegate* unmanaged<nint, int, int>)Export(library, "MPI_Abort");
        errorString = (delegate* unmanaged<int, byte*, int*, int>)Export(library, "MPI_Error_string");
        CommWorld = Export(library, "ompi_mpi_comm_world");
        Float = Export(library, "ompi_mpi_float");
        Double = Export(library, "ompi_mpi_double");
        Int = Export(library, "ompi_mpi_int");
        Long = Export(library, "ompi_mpi_long_long_int");
        Byte = Export(library, "ompi_mpi_byte");
        Sum = Export(library, "ompi_mpi_op_sum");
        Max = Export(library, "ompi_mpi_op_max");
        Min = Export(library, "ompi_mpi_op_min");
    }

    /// <summary><c>MPI_COMM_WORLD</c>.</summary>
    public nint CommWorld { get; }

    /// <summary><c>MPI_FLOAT</c>.</summary>
    public nint Float { get; }

    /// <summary><c>MPI_DOUBLE</c>.</summary>
    public nint Double { get; }

    /// <summary><c>MPI_INT</c>.</summary>
    public nint Int { get; }

    /// <summary><c>MPI_LONG_LONG</c>.</summary>
    public nint Long { get; }

    /// <summary><c>MPI_BYTE</c>.</summary>
    public nint Byte { get; }

    /// <summary><c>MPI_SUM</c>.</summary>
    public nint Sum { get; }

    /// <summary><c>MPI_MAX</c>.</summary>
    public nint Max { get; }

    /// <summary><c>MPI_MIN</c>.</summary>
    public nint Min { get; }

    /// <summary>
    /// Loads <see cref="LibraryName"/> (or the path in <see cref="LibraryVariable"/>); throws
    /// <see cref="DllNotFoundException"/> saying how to install Open MPI when it is missing.
    /// </summary>
    public static MpiLibrary Load()
    {
        string name = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } path ? path : LibraryName;
        if (!NativeLibrary.TryLoad(name, typeof(MpiLibrary).Assembly, null, out var library))
        {
            throw new DllNotFoundException($"TensorGrad.Distributed: the program was started by an MPI launcher but {name} (Open MPI) could not be loaded; install Open MPI: apt-get install openmpi-bin (or name the library's path in {LibraryVariable}).");
        }

        return new MpiLibrary(library);
    }

    /// <summary><c>MPI_Init_thread</c> with <c>MPI_THREAD_FUNNELED</c> unless MPI is already initialized.</summary>
    public void Init()
    {
        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        if (flag == 0)
        {
            int provided;
            Check(initThread(null, null, ThreadFunneled, &provided), "MPI_Init_thread");
        }
    }

    /// <summary><c>MPI_Finalize</c> unless already finalized.</summary>
    public void Shutdown()
    {
        int flag;
        Check(finalized(&flag), "MPI_Finalized");
        if (flag == 0)
        {
            Check(finalize(), "MPI_Finalize");
        }
    }

    public int Rank()
    {
        int rank;
        Check(commRank(CommWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    public int Size()
    {
        int size;
        Check(commSize(CommWorld, &size), "MPI_Comm_size");
        return size;
    }

    public void Barrier() => Check(barrier(CommWorld), "MPI_Barrier");

    public void Broadcast(void* data, int count, nint type, int root) => Check(bcast(data, count, type, root, CommWorld), "MPI_Bcast");

    /// <summary>In-place <c>MPI_Allreduce</c> of <paramref name="count"/> values at <paramref name="data"/>.</summary>
    public void AllReduce(void* data, int count, nint type, nint op) => Check(allreduce((void*)InPlace, data, count, type, op, CommWorld), "MPI_Allreduce");

    /// <summary>In-place <c>MPI_Iallreduce</c>; returns the request to <see cref="Wait"/> or <see cref="Test"/> on.</summary>
    public nint StartAllReduce(void* data, int count, nint type, nint op)
    {
        nint request;
        Check(iallreduce((void*)InPlace, data, count, type, op, CommWorld, &request), "MPI_Iallreduce");
        return request;
    }

    /// <summary><c>MPI_Wait</c> on <paramref name="request"/> (which MPI then sets to null).</summary>
    public void Wait(ref nint request)
    {
        fixed (nint* r = &request)
        {
            Check(wait(r, null), "MPI_Wait");
        }
    }

    /// <summary><c>MPI_Test</c>: true when <paramref name="request"/> has completed.</summary>
    public bool Test(ref nint request)
    {
        int flag;
        fixed (nint* r = &request)
        {
            Check(test(r, &flag, null), "MPI_Test");
        }

        return flag != 0;
    }

    /// <summary><c>MPI_Abort</c> on every process of the job; does not return when MPI honours it.</summary>
    public void Abort(int code) => abort(CommWorld, code);

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address) ? address
            : throw new EntryPointNotFoundException($"TensorGrad.Distributed: {LibraryName} has no '{name}'; Open MPI 4.x or 5.x is needed (apt-get install openmpi-bin).");

    private void Check(int code, string call)
    {
        if (code != Success)
        {
            throw new MpiException($"{call} failed with MPI error {code}: {Describe(code)}", code);
        }
    }

    private string Describe(int code)
    {
        // MPI_MAX_ERROR_STRING is 256 in Open MPI.
        byte* text = stackalloc byte[256];
        int length;
        return errorString(code, text, &length) == Success ? new string((sbyte*)text, 0, length) : "(no description)";
    }
}
