using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// Exact-size pool of device memory blocks for one accelerator: a training step asks for the same
/// sizes every step, so after the first step it allocates no device memory. Free blocks beyond
/// <see cref="MaxRetainedBytes"/> are returned to the device.
/// </summary>
internal sealed class DeviceMemoryPool(Accelerator accelerator) : IDisposable
{
    private readonly Dictionary<(Type, long), Stack<MemoryBuffer>> free = [];
    private readonly Lock gate = new();
    private long retainedBytes;

    /// <summary>Upper bound on the bytes of free blocks kept: a quarter of the device's memory.</summary>
    public long MaxRetainedBytes { get; } = accelerator.MemorySize / 4;

    /// <summary>How many blocks were taken from the device so far (a steady training step adds none).</summary>
    public long DeviceAllocations { get; private set; }

    /// <summary>A block of exactly <paramref name="length"/> elements (at least one), contents unspecified.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Rent<T>(long length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        length = Math.Max(1, length);
        lock (gate)
        {
            if (free.TryGetValue((typeof(T), length), out var stack) && stack.Count > 0)
            {
                var block = stack.Pop();
                retainedBytes -= block.LengthInBytes;
                return (MemoryBuffer1D<T, Stride1D.Dense>)block;
            }

            DeviceAllocations++;
        }

        return accelerator.Allocate1D<T>(length);
    }

    /// <summary>Takes a block back for reuse, or frees it when the pool is full.</summary>
    public void Return<T>(MemoryBuffer1D<T, Stride1D.Dense> block)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lock (gate)
        {
            if (retainedBytes + block.LengthInBytes <= MaxRetainedBytes)
            {
                if (!free.TryGetValue((typeof(T), block.Length), out var stack))
                {
                    stack = new Stack<MemoryBuffer>();
                    free[(typeof(T), block.Length)] = stack;
                }

                stack.Push(block);
                retainedBytes += block.LengthInBytes;
                return;
            }
        }

        block.Dispose();
    }

    /// <summary>Frees every pooled block.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var block in free.Values.SelectMany(stack => stack))
            {
                block.Dispose();
            }

            free.Clear();
            retainedBytes = 0;
        }
    }
}
