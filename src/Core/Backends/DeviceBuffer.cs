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

    /// <summary>
    /// The array of exactly <see cref="Length"/> elements that holds the storage when it lives in
    /// host memory (the CPU backend's buffers), else null. Host-side consumers, such as the MPI
    /// calls of data-parallel training, read and write it in place instead of copying it.
    /// </summary>
    public virtual Array? HostArray => null;
}
