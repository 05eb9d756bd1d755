namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Kernels that move elements: fills, 2-D transpose and strided copies.</summary>
internal static class LayoutKernels
{
    private const int Tile = 32;

    /// <summary>y[i] = value for every element, split over the cores when large.</summary>
    public static void Fill<T>(T[] y, T value)
        where T : unmanaged =>
        CpuParallel.For(y.LongLength, CpuParallel.ElementGrain, (Y: y, Value: value), static (s, start, end) =>
            s.Y.AsSpan((int)start, (int)(end - start)).Fill(s.Value));

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

    /// <summary>The copy <paramref name="layout"/> describes, run by run along its innermost dimension, runs split over cores when large.</summary>
    public static void CopyStrided<T>(T[] x, in CopyLayout layout, T[] y)
        where T : unmanaged
    {
        var l = layout;
        if (l.Count == 0)
        {
            return;
        }

        int inner = l.InnerSize;
        CpuParallel.For(l.Count / inner, Math.Max(1, CpuParallel.ElementGrain / inner), (X: x, L: l, Y: y), static (s, start, end) =>
        {
            var l = s.L;
            int inner = l.InnerSize, srcStep = l.InnerSourceStride, dstStep = l.InnerDestinationStride;
            for (int row = (int)start; row < end; row++)
            {
                int src = l.RowOffsets(row, out int dst);
                if (srcStep == 1 && dstStep == 1)
                {
                    s.X.AsSpan(src, inner).CopyTo(s.Y.AsSpan(dst, inner));
                    continue;
                }

                for (int k = 0; k < inner; k++, src += srcStep, dst += dstStep)
                {
                    s.Y[dst] = s.X[src];
                }
            }
        });
    }
}
