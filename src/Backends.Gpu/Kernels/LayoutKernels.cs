using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>Data movement: 2-D transpose through a shared-memory tile, so reads and writes are both coalesced; strided copies.</summary>
internal static class LayoutKernels
{
    /// <summary>y [cols, rows] = xᵀ for x [rows, cols]; a square group of side tile (≤ <see cref="GroupLimits.MaxSide"/>) per tile; rows are padded by one element against bank conflicts.</summary>
    public static void Transpose<T>(ArrayView<T> x, ArrayView<T> y, int rows, int cols, int tile)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupLimits.MaxSide * (GroupLimits.MaxSide + 1));
        int tilesX = (cols + tile - 1) / tile;
        int tilesY = (rows + tile - 1) / tile;
        int tx = Group.IdxX % tile, ty = Group.IdxX / tile;
        for (int t = Grid.IdxX; t < tilesX * tilesY; t += Grid.DimX)
        {
            int r0 = (t / tilesX) * tile, c0 = (t % tilesX) * tile;
            if (r0 + ty < rows && c0 + tx < cols)
            {
                shared[(ty * (tile + 1)) + tx] = x[((r0 + ty) * cols) + c0 + tx];
            }

            GroupBarrier.Sync();
            if (c0 + ty < cols && r0 + tx < rows)
            {
                y[((c0 + ty) * rows) + r0 + tx] = shared[(tx * (tile + 1)) + ty];
            }

            GroupBarrier.Sync();
        }
    }

    /// <summary>The copy <paramref name="layout"/> describes, one thread per element.</summary>
    public static void CopyStrided<T>(ArrayView<T> x, ArrayView<T> y, CopyLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < layout.Count; i += GridLoop.Step)
        {
            int src = layout.Offsets(i, out int dst);
            y[dst] = x[src];
        }
    }
}
