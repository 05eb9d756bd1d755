using System.Numerics;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Max and average pooling straight over the input planes (no column matrix), planes split over
/// the cores. Each output's window is clipped to the image once (no test per element), and max
/// pooling and average pooling have their own loops. Float 2×2 windows at stride 2 go eight or
/// four at a time through <see cref="PairPooling"/>, forward and backward; other windows at
/// stride 1 or 2 pool eight outputs of a row at a time through <see cref="RowPooling"/> where
/// they lie within the image's columns (forward, and the average's backward). Max pooling keeps
/// each window's first maximum as the window position i·KernelW + j; NaN propagates as in PyTorch.
/// </summary>
internal static class PoolKernels
{
    // Window positions whose row and column tables the backward pass keeps on the stack (8 KB).
    private const int MaxStackPositions = 1024;

    public static void Forward<T>(PoolKind kind, T[] x, in ConvGeometry geometry, T[] y, T[]? indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        var (planes, grain) = Planes(g);
        CpuParallel.For(planes, grain, (Max: kind == PoolKind.Max, X: x, G: g, Y: y, I: indices), static (s, start, end) =>
        {
            var g = s.G;
            int planeSize = g.Height * g.Width;
            T scale = T.One / T.CreateTruncating(g.KernelH * g.KernelW);
            bool pairs = typeof(T) == typeof(float) && PairPooling.Applies(g);
            if (pairs && PairPooling.Tiles(g))
            {
                PairPlanes(s.X, s.Y, s.I, s.Max, g, start, end);
                return;
            }

            bool rows = typeof(T) == typeof(float) && !pairs && RowPooling.Applies(g);
            var (interior, interiorEnd) = rows ? RowPooling.Span(g) : (g.OutWidth, g.OutWidth);
            for (long p = start; p < end; p++)
            {
                var plane = s.X.AsSpan((int)(p * planeSize), planeSize);
                int outBase = (int)(p * g.OutPlane);
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    int ih0 = (oh * g.StrideH) - g.PadH;
                    var (iLo, iHi) = Clip(ih0, g.KernelH, g.DilationH, g.Height);
                    int first = pairs ? PairRow(s.X, s.Y, s.I, s.Max, g, p, oh) : 0;
                    for (int ow = first; ow < g.OutWidth; ow++)
                    {
                        if (ow == interior)
                        {
                            // The outputs whose windows lie within the columns, eight at a time; the per-window loop does the rest.
                            ow = RowsOfWindows(s.X, s.Y, s.I, s.Max, g, p, oh, ih0, iLo, iHi, interior, interiorEnd);
                            if (ow == g.OutWidth)
                            {
                                break;
                            }
                        }

                        int iw0 = (ow * g.StrideW) - g.PadW;
                        var (jLo, jHi) = Clip(iw0, g.KernelW, g.DilationW, g.Width);
                        int o = outBase + (oh * g.OutWidth) + ow;
                        if (!s.Max)
                        {
                            s.Y[o] = Sum(plane, g, ih0, iw0, iLo, iHi, jLo, jHi) * scale;
                            continue;
                        }

                        var (value, position) = Maximum(plane, g, ih0, iw0, iLo, iHi, jLo, jHi);
                        s.Y[o] = value;
                        if (s.I is not null)
                        {
                            s.I[o] = T.CreateTruncating(position);
                        }
                    }
                }
            }
        });
    }

    /// <summary>Output row <paramref name="oh"/> of plane <paramref name="plane"/> through <see cref="PairPooling"/> (T is float); returns the outputs it did.</summary>
    private static unsafe int PairRow<T>(T[] x, T[] y, T[]? indices, bool max, in ConvGeometry g, long plane, int oh)
        where T : unmanaged
    {
        long input = (plane * g.Height * g.Width) + ((long)oh * 2 * g.Width), output = (plane * g.OutPlane) + ((long)oh * g.OutWidth);
        fixed (T* px = x, py = y, pi = indices)
        {
            float* top = (float*)px + input;
            return PairPooling.Row(top, top + g.Width, g.OutWidth, max, (float*)py + output, pi is null ? null : (float*)pi + output);
        }
    }

    /// <summary>
    /// Planes [first, last) through <see cref="PairPooling"/> (T is float) when its windows tile
    /// the planes (<see cref="PairPooling.Tiles"/>): the output rows of the planes follow
    /// one another, each from the next two input rows, so one loop pools them all.
    /// </summary>
    private static unsafe void PairPlanes<T>(T[] x, T[] y, T[]? indices, bool max, in ConvGeometry g, long first, long last)
        where T : unmanaged
    {
        long rows = (last - first) * g.OutHeight;
        fixed (T* px = x, py = y, pi = indices)
        {
            float* top = (float*)px + (first * g.Height * g.Width), output = (float*)py + (first * g.OutPlane);
            float* positions = pi is null ? null : (float*)pi + (first * g.OutPlane);
            for (long r = 0; r < rows; r++, top += 2 * g.Width, output += g.OutWidth)
            {
                PairPooling.Row(top, top + g.Width, g.OutWidth, max, output, positions is null ? null : positions + (r * g.OutWidth));
            }
        }
    }

    /// <summary>The input gradient of planes [first, last) the way <see cref="PairPlanes{T}"/> pooled them; every input value is written.</summary>
    private static unsafe void PairPlanesBackward<T>(T[] gradY, T[]? indices, T[] gradX, bool max, in ConvGeometry g, long first, long last)
        where T : unmanaged
    {
        long rows = (last - first) * g.OutHeight;
        fixed (T* pgy = gradY, pi = indices, pgx = gradX)
        {
            float* top = (float*)pgx + (first * g.Height * g.Width), gy = (float*)pgy + (first * g.OutPlane);
            float* positions = pi is null ? null : (float*)pi + (first * g.OutPlane);
            for (long r = 0; r < rows; r++, top += 2 * g.Width, gy += g.OutWidth)
            {
                PairPooling.RowBackward(gy, positions is null ? null : positions + (r * g.OutWidth), g.OutWidth, max, top, top + g.Width);
            }
        }
    }

    /// <summary>Outputs [first, returned) of output row <paramref name="oh"/> of plane <paramref name="plane"/> through <see cref="RowPooling"/> (T is float).</summary>
    private static unsafe int RowsOfWindows<T>(T[] x, T[] y, T[]? indices, bool max, in ConvGeometry g, long plane, int oh, int ih0, int iLo, int iHi, int first, int last)
        where T : unmanaged
    {
        long output = (plane * g.OutPlane) + ((long)oh * g.OutWidth);
        fixed (T* px = x, py = y, pi = indices)
        {
            return RowPooling.Row((float*)px + (plane * g.Height * g.Width), g, ih0, iLo, iHi, first, last, max, (float*)py + output, pi is null ? null : (float*)pi + output);
        }
    }

    /// <summary>The input gradient of output row <paramref name="oh"/> of plane <paramref name="plane"/> through <see cref="PairPooling"/> (T is float); returns the outputs it did.</summary>
    private static unsafe int PairRowBackward<T>(T[] gradY, T[]? indices, T[] gradX, bool max, in ConvGeometry g, long plane, int oh)
        where T : unmanaged
    {
        long input = (plane * g.Height * g.Width) + ((long)oh * 2 * g.Width), output = (plane * g.OutPlane) + ((long)oh * g.OutWidth);
        fixed (T* pgy = gradY, pi = indices, pgx = gradX)
        {
            float* top = (float*)pgx + input;
            return PairPooling.RowBackward((float*)pgy + output, pi is null ? null : (float*)pi + output, g.OutWidth, max, top, top + g.Width);
        }
    }

    /// <summary>The average pooling's input gradient of outputs [first, returned) of output row <paramref name="oh"/> through <see cref="RowPooling"/> (T is float).</summary>
    private static unsafe int RowsOfSharesBackward<T>(T[] gradY, T[] gradX, in ConvGeometry g, long plane, int oh, int ih0, int iLo, int iHi, int first, int last)
        where T : unmanaged
    {
        fixed (T* pgy = gradY, pgx = gradX)
        {
            return RowPooling.RowBackward((float*)pgx + (plane * g.Height * g.Width), g, ih0, iLo, iHi, first, last, (float*)pgy + (plane * g.OutPlane) + ((long)oh * g.OutWidth));
        }
    }

    public static void Backward<T>(PoolKind kind, T[] gradY, T[]? indices, in ConvGeometry geometry, T[] gradX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        var (planes, grain) = Planes(g);
        CpuParallel.For(planes, grain, (Max: kind == PoolKind.Max, GY: gradY, I: indices, G: g, GX: gradX), static (s, start, end) =>
        {
            var g = s.G;
            int planeSize = g.Height * g.Width;
            T scale = T.One / T.CreateTruncating(g.KernelH * g.KernelW);
            bool pairs = typeof(T) == typeof(float) && PairPooling.Applies(g);
            if (pairs && PairPooling.Tiles(g))
            {
                PairPlanesBackward(s.GY, s.I, s.GX, s.Max, g, start, end);
                return;
            }

            bool rows = typeof(T) == typeof(float) && !pairs && !s.Max && RowPooling.Applies(g);
            var (interior, interiorEnd) = rows ? RowPooling.Span(g) : (g.OutWidth, g.OutWidth);
            // The max pooling's window positions as rows and columns from the window's corner, so no
            // output divides its position; a large window (a global pooling) keeps them on the heap.
            int window = s.Max ? g.KernelH * g.KernelW : 0;
            Span<int> down = window <= MaxStackPositions ? stackalloc int[window] : new int[window];
            Span<int> across = window <= MaxStackPositions ? stackalloc int[window] : new int[window];
            for (int k = 0; k < window; k++)
            {
                (down[k], across[k]) = (k / g.KernelW * g.DilationH, k % g.KernelW * g.DilationW);
            }

            for (long p = start; p < end; p++)
            {
                // Cleared: the pair kernel leaves the values outside its windows, and the per-window loop adds.
                var plane = s.GX.AsSpan((int)(p * planeSize), planeSize);
                plane.Clear();

                int outBase = (int)(p * g.OutPlane);
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    int ih0 = (oh * g.StrideH) - g.PadH;
                    var (iLo, iHi) = Clip(ih0, g.KernelH, g.DilationH, g.Height);
                    int first = pairs ? PairRowBackward(s.GY, s.I, s.GX, s.Max, g, p, oh) : 0;
                    for (int ow = first; ow < g.OutWidth; ow++)
                    {
                        if (ow == interior)
                        {
                            // The average's shares for the windows within the columns, eight outputs at a time.
                            ow = RowsOfSharesBackward(s.GY, s.GX, g, p, oh, ih0, iLo, iHi, interior, interiorEnd);
                            if (ow == g.OutWidth)
                            {
                                break;
                            }
                        }

                        int o = outBase + (oh * g.OutWidth) + ow;
                        int iw0 = (ow * g.StrideW) - g.PadW;
                        if (s.Max)
                        {
                            // The window position the forward pass kept; a window of -∞ alone keeps its first, which may lie in the padding.
                            int position = int.CreateTruncating(s.I![o]);
                            if ((uint)position >= (uint)down.Length)
                            {
                                continue;
                            }

                            int ih = ih0 + down[position], iw = iw0 + across[position];
                            if ((uint)ih < (uint)g.Height && (uint)iw < (uint)g.Width)
                            {
                                plane[(ih * g.Width) + iw] += s.GY[o];
                            }

                            continue;
                        }

                        T share = s.GY[o] * scale;
                        var (jLo, jHi) = Clip(iw0, g.KernelW, g.DilationW, g.Width);
                        for (int i = iLo; i < iHi; i++)
                        {
                            int row = ((ih0 + (i * g.DilationH)) * g.Width) + iw0;
                            for (int j = jLo; j < jHi; j++)
                            {
                                plane[row + (j * g.DilationW)] += share;
                            }
                        }
                    }
                }
            }
        });
    }

    /// <summary>The kernel positions [lo, hi) of a window starting at <paramref name="origin"/> that fall inside [0, size).</summary>
    private static (int Lo, int Hi) Clip(int origin, int kernel, int dilation, int size)
    {
        if (dilation == 1)
        {
            return (Math.Clamp(-origin, 0, kernel), Math.Clamp(size - origin, 0, kernel));
        }

        int lo = origin >= 0 ? 0 : Math.Min(kernel, (-origin + dilation - 1) / dilation);
        int hi = origin >= size ? 0 : Math.Min(kernel, (size - origin + dilation - 1) / dilation);
        return (lo, Math.Max(lo, hi));
    }

    private static T Sum<T>(ReadOnlySpan<T> plane, in ConvGeometry g, int ih0, int iw0, int iLo, int iHi, int jLo, int jHi)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = iLo; i < iHi; i++)
        {
            int row = ((ih0 + (i * g.DilationH)) * g.Width) + iw0;
            for (int j = jLo; j < jHi; j++)
            {
                sum += plane[row + (j * g.DilationW)];
            }
        }

        return sum;
    }

    // The first maximum of the clipped window and its position i·KernelW + j; the first NaN wins.
    // Compares and selects in vector registers, without branches: on data such as activations,
    // which tap wins is a coin toss, and mispredicted branches made this loop eight times slower.
    private static (T Value, int Position) Maximum<T>(ReadOnlySpan<T> plane, in ConvGeometry g, int ih0, int iw0, int iLo, int iHi, int jLo, int jHi)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var best = Vector128.Create(T.NegativeInfinity);
        var position = Vector128<T>.Zero;
        for (int i = iLo; i < iHi; i++)
        {
            int row = ((ih0 + (i * g.DilationH)) * g.Width) + iw0;
            for (int j = jLo; j < jHi; j++)
            {
                var v = Vector128.Create(plane[row + (j * g.DilationW)]);
                var take = Vector128.GreaterThan(v, best) | (~Vector128.Equals(v, v) & Vector128.Equals(best, best));
                best = Vector128.ConditionalSelect(take, v, best);
                position = Vector128.ConditionalSelect(take, Vector128.Create(T.CreateTruncating((i * g.KernelW) + j)), position);
            }
        }

        return (best.ToScalar(), int.CreateTruncating(position.ToScalar()));
    }

    /// <summary>The planes to pool and how many a part takes, so each part reads about a grain of elements.</summary>
    private static (long Planes, long Grain) Planes(in ConvGeometry g) =>
        ((long)g.Batch * g.Channels, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, (long)g.OutPlane * g.KernelH * g.KernelW)));
}
