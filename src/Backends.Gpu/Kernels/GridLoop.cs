using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// Grid-stride loop bounds: a kernel launched on a fixed, small grid visits every index
/// <c>for (i = Start; i &lt; n; i += Step)</c>, so one launch covers any length.
/// </summary>
internal static class GridLoop
{
    /// <summary>This thread's first index.</summary>
    public static int Start => Grid.GlobalIndex.X;

    /// <summary>The number of threads in the grid.</summary>
    public static int Step => Grid.DimX * Group.DimX;
}
