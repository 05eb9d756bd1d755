using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace TensorGrad.Backends.Gpu;

/// <summary>Device storage of one ILGPU accelerator: a pooled memory block of at least <see cref="DeviceBuffer.Length"/> elements (one for an empty buffer).</summary>
internal sealed class GpuBuffer<T>(MemoryBuffer1D<T, Stride1D.Dense> memory, long length, DType dtype, GpuBackend owner) : DeviceBuffer(length, dtype)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The pooled block (its length may exceed the buffer's when the request was empty).</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Memory { get; } = memory;

    /// <summary>The backend that allocated it.</summary>
    public GpuBackend Owner { get; } = owner;

    /// <summary>The buffer's elements as a kernel argument.</summary>
    public ArrayView<T> View => Memory.View.SubView(0, Length);
}
