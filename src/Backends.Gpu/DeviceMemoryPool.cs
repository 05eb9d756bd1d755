using System.Numerics;
using ILGPU.Runtime;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// Exact-size pool of device buffers (memory block and wrapper together) for one backend: a
/// training step asks for the same sizes every step, so after the first step it allocates no
/// device memory and no wrapper. Free blocks beyond <see cref="MaxRetainedBytes"/> are returned
/// to the device.
/// </summary>
internal sealed class DeviceMemoryPool(GpuBackend owner, Accelerator accelerator) : IDisposable
{
    private readonly Dictionary<(Type, long), Stack<(DeviceBuffer Buffer, MemoryBuffer Block)>> free = [];
    private readonly Lock gate = new();
    private long retainedBytes;

    /// <summary>Upper bound on the bytes of free blocks kept: a quarter of the device's memory.</summary>
    public long MaxRetainedBytes { get; } = accelerator.MemorySize / 4;

    /// <summary>How many blocks were taken from the device so far (a steady training step adds none).</summary>
    public long DeviceAllocations { get; private set; }

    /// <summary>A buffer of exactly <paramref name="length"/> elements (its block holds at least one), contents unspecified.</summary>
    public GpuBuffer<T> Rent<T>(long length, DType dtype)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lock (gate)
        {
            if (free.TryGetValue((typeof(T), length), out var stack) && stack.Count > 0)
            {
                var (buffer, block) = stack.Pop();
                retainedBytes -= block.LengthInBytes;
                return (GpuBuffer<T>)buffer;
            }

            DeviceAllocations++;
        }

        return new GpuBuffer<T>(accelerator.Allocate1D<T>(Math.Max(1, length)), length, dtype, owner);
    }

    /// <summary>Takes a buffer back for reuse, or frees its block when the pool is full.</summary>
    public void Return<T>(GpuBuffer<T> buffer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lock (gate)
        {
            if (retainedBytes + buffer.Memory.LengthInBytes <= MaxRetainedBytes)
            {
                if (!free.TryGetValue((typeof(T), buffer.Length), out var stack))
                {
                    stack = new Stack<(DeviceBuffer, MemoryBuffer)>();
                    free[(typeof(T), buffer.Length)] = stack;
                }

                stack.Push((buffer, buffer.Memory));
                retainedBytes += buffer.Memory.LengthInBytes;
                return;
            }
        }

        buffer.Memory.Dispose();
    }

    /// <summary>Frees every pooled block.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var (_, block) in free.Values.SelectMany(stack => stack))
            {
                block.Dispose();
            }

            free.Clear();
            retainedBytes = 0;
        }
    }
}
