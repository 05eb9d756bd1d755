namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// The largest thread group the backend launches, which sizes the kernels' shared memory.
/// Shared memory is allocated statically (a fixed-size <c>local</c> array per group): ILGPU's
/// OpenCL code generator keeps the base of dynamic shared memory in a program-scope variable
/// that groups running at once overwrite, so dynamic shared memory is wrong on a parallel runtime.
/// </summary>
internal static class GroupLimits
{
    /// <summary>Threads per group at most (a power of two).</summary>
    public const int MaxThreads = 256;

    /// <summary>Side of the largest square group: √<see cref="MaxThreads"/>.</summary>
    public const int MaxSide = 16;
}
