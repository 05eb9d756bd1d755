namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Kernels that move elements: 2-D transpose.</summary>
internal static class LayoutKernels
{
    private const int Tile = 32;

    /// <summary>y [cols, rows] = xᵀ, in cache-sized tiles, tiles of rows split over cores when large.</summary>
    public static void Transpose<T>(T[] x, int rows, int cols, T[] y)
        where T : unmanaged
    {
        long tileRows = (rows + Tile - 1) / Tile;
        long grain = Math.Max(1, CpuParallel.ElementGrain / ((long)Tile * Math.Max(1, cols)));
        CpuParallel.For(tileRows, grain, (X: x, Y: y, Rows: rows, Cols: cols), static (s, start, end) =>
        {
            for (int r0 = (int)start * Tile; r0 < Math.Min(s.Rows, (int)end * Tile); r0 += Tile)
            {
                int r1 = Math.Min(r0 + Tile, s.Rows);
                for (int c0 = 0; c0 < s.Cols; c0 += Tile)
                {
                    int c1 = Math.Min(c0 + Tile, s.Cols);
                    for (int r = r0; r < r1; r++)
                    {
                        for (int c = c0; c < c1; c++)
                        {
                            s.Y[((long)c * s.Rows) + r] = s.X[((long)r * s.Cols) + c];
                        }
                    }
                }
            }
        });
    }
}
