using System.Buffers;

namespace TensorGrad.Distributed;

/// <summary>Copies tensors to host memory and back around a host-side action (MPI reads and writes host memory).</summary>
internal static class HostStaging
{
    /// <summary>Downloads <paramref name="tensor"/>, runs <paramref name="action"/> on the values with <paramref name="argument"/>, uploads them back.</summary>
    public static void Run<T, TArgument>(Tensor tensor, TArgument argument, SpanAction<T, TArgument> action)
        where T : unmanaged
    {
        int count = checked((int)tensor.Size);
        var rented = ArrayPool<T>.Shared.Rent(count);
        try
        {
            var values = rented.AsSpan(0, count);
            Download(tensor, values);
            action(values, argument);
            Upload(values, tensor);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>Copies the values of <paramref name="tensor"/> into <paramref name="destination"/> (float or double).</summary>
    public static void Download<T>(Tensor tensor, Span<T> destination)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            tensor.Backend.Download(tensor.Buffer, System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(destination));
        }
        else
        {
            tensor.Backend.Download(tensor.Buffer, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(destination));
        }
    }

    /// <summary>Copies <paramref name="source"/> (float or double) into <paramref name="tensor"/>.</summary>
    public static void Upload<T>(ReadOnlySpan<T> source, Tensor tensor)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            tensor.Backend.Upload(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(source), tensor.Buffer);
        }
        else
        {
            tensor.Backend.Upload(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(source), tensor.Buffer);
        }
    }
}
