using System.Runtime.InteropServices;

namespace TensorGrad.Distributed.Benchmarks;

/// <summary>MPI_Allreduce called straight from C#, with no binding in between: the baseline of the binding's cost.</summary>
internal static unsafe partial class DirectMpi
{
    private static readonly nint Library = NativeLibrary.Load("libmpi.so.40");
    private static readonly nint CommWorld = NativeLibrary.GetExport(Library, "ompi_mpi_comm_world");
    private static readonly nint Float = NativeLibrary.GetExport(Library, "ompi_mpi_float");
    private static readonly nint Sum = NativeLibrary.GetExport(Library, "ompi_mpi_op_sum");

    /// <summary>In-place sum of <paramref name="values"/> over the ranks.</summary>
    public static void AllReduce(Span<float> values)
    {
        fixed (float* data = values)
        {
            if (MPI_Allreduce((void*)1, data, values.Length, Float, Sum, CommWorld) != 0)
            {
                throw new InvalidOperationException("MPI_Allreduce failed");
            }
        }
    }

    [LibraryImport("libmpi.so.40")]
    private static partial int MPI_Allreduce(void* sendBuffer, void* receiveBuffer, int count, nint type, nint op, nint communicator);
}
