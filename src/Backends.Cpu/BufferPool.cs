namespace TensorGrad.Backends.Cpu;

/// <summary>
/// Exact-size array pool: a training step asks for the same sizes every step, so after the
/// first step every request is a hit. Retains at most <see cref="MaxRetainedBytes"/>.
/// </summary>
internal sealed class BufferPool<T>
    where T : unmanaged
{
    /// <summary>Upper bound on the bytes kept for reuse; arrays returned beyond it go to the GC.</summary>
    public const long MaxRetainedBytes = 1L << 30;

    private readonly Dictionary<int, Stack<T[]>> free = [];
    private readonly Lock gate = new();
    private long retainedBytes;

    /// <summary>An array of exactly <paramref name="length"/> elements with unspecified contents.</summary>
    public T[] Rent(int length)
    {
        lock (gate)
        {
            if (free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                retainedBytes -= (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
                return stack.Pop();
            }
        }

        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Takes an array back for reuse.</summary>
    public void Return(T[] array)
    {
        long bytes = (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        lock (gate)
        {
            if (retainedBytes + bytes > MaxRetainedBytes)
            {
                return;
            }

            if (!free.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<T[]>();
                free[array.Length] = stack;
            }

            stack.Push(array);
            retainedBytes += bytes;
        }
    }
}
