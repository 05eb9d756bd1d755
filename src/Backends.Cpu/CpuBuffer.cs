namespace TensorGrad.Backends.Cpu;

/// <summary>CPU storage: a managed array of exactly <see cref="DeviceBuffer.Length"/> elements.</summary>
internal sealed class CpuBuffer<T>(T[] array, DType dtype) : DeviceBuffer(array.LongLength, dtype)
    where T : unmanaged
{
    /// <summary>The elements.</summary>
    public T[] Array { get; } = array;

    /// <inheritdoc/>
    public override System.Array? HostArray => Array;

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Array;
}
