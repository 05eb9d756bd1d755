using System.Runtime.CompilerServices;

namespace TensorGrad.Backends.Cpu;

/// <summary>
/// Exact-size pool of CPU buffers (array and wrapper together): a training step asks for the same
/// sizes every step, so after the first step every request is a hit and allocates nothing.
/// Retains at most <see cref="MaxRetainedBytes"/>.
/// </summary>
internal sealed class BufferPool<T>(DType dtype)
    where T : unmanaged
{
    /// <summary>Upper bound on the bytes kept for reuse; buffers returned beyond it go to the GC.</summary>
    public const long MaxRetainedBytes = 1L << 30;

    private readonly Dictionary<int, Stack<CpuBuffer<T>>> free = [];
    private readonly Lock gate = new();
    private long retainedBytes;
    private long allocations;

    /// <summary>How many buffers were allocated so far because the pool had none of the size asked for.</summary>
    public long Allocations => Interlocked.Read(ref allocations);

    /// <summary>Bytes of free buffers the pool keeps for reuse.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (gate)
            {
                return retainedBytes;
            }
        }
    }

    /// <summary>A buffer of exactly <paramref name="length"/> elements with unspecified contents.</summary>
    public CpuBuffer<T> Rent(int length)
    {
        lock (gate)
        {
            if (free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                retainedBytes -= (long)length * Unsafe.SizeOf<T>();
                return stack.Pop();
            }
        }

        Interlocked.Increment(ref allocations);
        return new CpuBuffer<T>(GC.AllocateUninitializedArray<T>(length), dtype);
    }

    /// <summary>Takes a buffer back for reuse.</summary>
    public void Return(CpuBuffer<T> buffer)
    {
        int length = buffer.Array.Length;
        long bytes = (long)length * Unsafe.SizeOf<T>();
        lock (gate)
        {
            if (retainedBytes + bytes > MaxRetainedBytes)
            {
                return;
            }

            if (!free.TryGetValue(length, out var stack))
            {
                stack = new Stack<CpuBuffer<T>>();
                free[length] = stack;
            }

            stack.Push(buffer);
            retainedBytes += bytes;
        }
    }
}
