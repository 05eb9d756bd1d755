namespace TensorGrad.Backends;

/// <summary>
/// Contiguous storage for <see cref="Length"/> elements of <see cref="DType"/>, owned by one
/// backend. Each backend subclasses it; Core only passes buffers back to their backend.
/// </summary>
public abstract class DeviceBuffer
{
    /// <summary>Creates the description of a buffer.</summary>
    protected DeviceBuffer(long length, DType dtype)
    {
        Length = length;
        DType = dtype;
    }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }
}
