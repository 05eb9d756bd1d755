using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The column matrix of a convolution group (im2col) and its adjoint (col2im), split over cores by
/// rows of the column matrix and by input planes respectively; runs along a row of output
/// positions are contiguous copies and vector adds when the stride is 1.
/// </summary>
internal static class ConvolutionKernels
{
    // Entries of FoldPlanes' tables kept on the stack (at most 48 KB); larger tables are rented.
    private const int MaxStackRuns = 4096;

    /// <summary>col [ColumnRows, ColumnCols] of group <paramref name="group"/>, see <see cref="IBackend.Im2Col"/>.</summary>
    public static void Im2Col<T>(T[] x, in ConvGeometry geometry, int group, T padValue, T[] col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        long tasks = (long)g.ColumnRows * g.Batch;
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, g.OutPlane));
        CpuParallel.For(tasks, grain, (X: x, G: g, Group: group, Pad: padValue, Col: col), static (s, start, end) =>
        {
            var g = s.G;
            for (long task = start; task < end; task++)
            {
                int row = (int)(task / g.Batch), n = (int)(task % g.Batch);
                int j = row % g.KernelW, i = row / g.KernelW % g.KernelH, c = row / (g.KernelW * g.KernelH);
                var plane = s.X.AsSpan((int)g.InputPlaneOffset(n, s.Group, c), g.Height * g.Width);
                var target = s.Col.AsSpan((int)(((long)row * g.ColumnCols) + ((long)n * g.OutPlane)), g.OutPlane);
                FillColumnRow(plane, g, i, j, s.Pad, target);
            }
        });
    }

    /// <summary>One row of a column matrix for one image: kernel position (i, j) read from an input plane at every output position.</summary>
    public static void FillColumnRow<T>(ReadOnlySpan<T> plane, in ConvGeometry g, int i, int j, T padValue, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lo, hi) = ValidRange(g.OutWidth, g.Width, g.StrideW, g.PadW, j * g.DilationW);
        int first = (lo * g.StrideW) - g.PadW + (j * g.DilationW);
        ref T source = ref MemoryMarshal.GetReference(plane);
        ref T line = ref MemoryMarshal.GetReference(target);
        for (int oh = 0; oh < g.OutHeight; oh++, line = ref Unsafe.Add(ref line, g.OutWidth))
        {
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            if ((uint)ih >= (uint)g.Height)
            {
                MemoryMarshal.CreateSpan(ref line, g.OutWidth).Fill(padValue);
                continue;
            }

            for (int ow = 0; ow < lo; ow++)
            {
                Unsafe.Add(ref line, ow) = padValue;
            }

            for (int ow = hi; ow < g.OutWidth; ow++)
            {
                Unsafe.Add(ref line, ow) = padValue;
            }

            ref T row = ref Unsafe.Add(ref source, (ih * g.Width) + first);
            if (g.StrideW == 1)
            {
                Copy(ref row, ref Unsafe.Add(ref line, lo), hi - lo);
            }
            else
            {
                for (int ow = lo, iw = 0; ow < hi; ow++, iw += g.StrideW)
                {
                    Unsafe.Add(ref line, ow) = Unsafe.Add(ref row, iw);
                }
            }
        }
    }

    /// <summary>
    /// Copies a short run (one output row, often under 64 elements) with whole vectors: a run of
    /// at least one vector ends with a vector that overlaps the one before instead of a scalar tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy<T>(ref T source, ref T destination, int count)
        where T : unmanaged
    {
        int width = Vector256<T>.Count;
        if (count < width)
        {
            for (int k = 0; k < count; k++)
            {
                Unsafe.Add(ref destination, k) = Unsafe.Add(ref source, k);
            }

            return;
        }

        for (int k = 0; k < count - width; k += width)
        {
            Vector256.LoadUnsafe(ref source, (nuint)k).StoreUnsafe(ref destination, (nuint)k);
        }

        Vector256.LoadUnsafe(ref source, (nuint)(count - width)).StoreUnsafe(ref destination, (nuint)(count - width));
    }

    /// <summary>Zeroes a short run the way <see cref="Copy{T}"/> copies one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Zero<T>(ref T destination, int count)
        where T : unmanaged
    {
        int width = Vector256<T>.Count;
        if (count < width)
        {
            for (int k = 0; k < count; k++)
            {
                Unsafe.Add(ref destination, k) = default;
            }

            return;
        }

        for (int k = 0; k < count - width; k += width)
        {
            Vector256<T>.Zero.StoreUnsafe(ref destination, (nuint)k);
        }

        Vector256<T>.Zero.StoreUnsafe(ref destination, (nuint)(count - width));
    }

    /// <summary>Overwrites group <paramref name="group"/>'s channels of x with the adjoint of <see cref="Im2Col{T}"/>.</summary>
    public static void Col2Im<T>(T[] col, in ConvGeometry geometry, int group, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        long planes = (long)g.Batch * g.GroupChannels;
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, (long)g.KernelH * g.KernelW * g.OutPlane));
        CpuParallel.For(planes, grain, (Col: col, G: g, Group: group, X: x), static (s, start, end) =>
        {
            var g = s.G;
            for (long p = start; p < end;)
            {
                // The planes of one image in this range, folded together.
                int n = (int)(p / g.GroupChannels), c = (int)(p % g.GroupChannels), count = (int)Math.Min(g.GroupChannels - c, end - p);
                FoldPlanes<T>(s.Col, g.ColumnCols, n * g.OutPlane, g, c, count, s.X.AsSpan((int)g.InputPlaneOffset(n, s.Group, c), count * g.Height * g.Width));
                p += count;
            }
        });
    }

    /// <summary>
    /// Overwrites <paramref name="channels"/> input planes, side by side in <paramref name="planes"/>,
    /// with the sums of the column entries that read them: the window rows of input channels
    /// <paramref name="c0"/>.. of a column matrix whose rows are <paramref name="rowStride"/> apart,
    /// this image's entries starting at <paramref name="offset"/> in each row. One kernel column at a
    /// time, each input row sums the kernel rows that read it in registers and adds the sum to the
    /// plane once, instead of adding every kernel position's run on its own (short runs for a small
    /// image, each with its own range and bounds work). Which kernel rows read which input row is
    /// the same for every channel, so it is worked out once per call.
    /// </summary>
    public static void FoldPlanes<T>(ReadOnlySpan<T> col, int rowStride, int offset, in ConvGeometry g, int c0, int channels, Span<T> planes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int window = g.KernelH * g.KernelW, planeSize = g.Height * g.Width;
        long start = ((long)c0 * window * rowStride) + offset;
        if (planes.Length < (long)channels * planeSize || col.Length < start + ((((long)channels * window) - 1) * rowStride) + g.OutPlane)
        {
            throw new ArgumentException($"FoldPlanes: {planes.Length} plane elements or a {col.Length}-element column matrix are too small for channels {c0}..{c0 + channels - 1} of {g}.");
        }

        // For each input row ih, where the kernel rows that read it find it in kernel column 0's
        // rows (oh·StrideH - PadH + i·DilationH = ih): input row ih's runs are runs[ih·KernelH, + found[ih]).
        int entries = g.Height * g.KernelH;
        nint[]? rentedRuns = entries > MaxStackRuns ? ArrayPool<nint>.Shared.Rent(entries) : null;
        int[]? rentedFound = g.Height > MaxStackRuns ? ArrayPool<int>.Shared.Rent(g.Height) : null;
        Span<nint> runs = rentedRuns is null ? stackalloc nint[entries] : rentedRuns.AsSpan(0, entries);
        Span<int> found = rentedFound is null ? stackalloc int[g.Height] : rentedFound.AsSpan(0, g.Height);
        for (int ih = 0; ih < g.Height; ih++)
        {
            found[ih] = 0;
            for (int i = 0; i < g.KernelH; i++)
            {
                int reach = ih + g.PadH - (i * g.DilationH), oh = g.StrideH == 1 ? reach : reach / g.StrideH;
                if (reach >= 0 && oh < g.OutHeight && (g.StrideH == 1 || oh * g.StrideH == reach))
                {
                    runs[(ih * g.KernelH) + found[ih]++] = ((nint)i * g.KernelW * rowStride) + (oh * g.OutWidth);
                }
            }
        }

        planes[..(channels * planeSize)].Clear();
        for (int c = 0; c < channels; c++)
        {
            ref T channel = ref Unsafe.Add(ref MemoryMarshal.GetReference(col), (nint)(start + ((long)c * window * rowStride)));
            ref T image = ref Unsafe.Add(ref MemoryMarshal.GetReference(planes), c * planeSize);
            for (int j = 0; j < g.KernelW; j++)
            {
                var (lo, hi) = ValidRange(g.OutWidth, g.Width, g.StrideW, g.PadW, j * g.DilationW);
                int first = (lo * g.StrideW) - g.PadW + (j * g.DilationW), count = hi - lo;
                ref T column = ref Unsafe.Add(ref channel, ((nint)j * rowStride) + lo);
                for (int ih = 0; ih < g.Height && count > 0; ih++)
                {
                    if (found[ih] > 0)
                    {
                        AddRuns(ref column, runs.Slice(ih * g.KernelH, found[ih]), ref Unsafe.Add(ref image, (ih * g.Width) + first), count, g.StrideW);
                    }
                }
            }
        }

        if (rentedRuns is not null)
        {
            ArrayPool<nint>.Shared.Return(rentedRuns);
        }

        if (rentedFound is not null)
        {
            ArrayPool<int>.Shared.Return(rentedFound);
        }
    }

    /// <summary>target[k · stride] += Σ over the runs of channel[run + k], for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRuns<T>(ref T channel, ReadOnlySpan<nint> runs, ref T target, int count, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = 0;
        if (stride == 1)
        {
            for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
            {
                var sum = Vector256.LoadUnsafe(ref channel, (nuint)(runs[0] + k));
                for (int r = 1; r < runs.Length; r++)
                {
                    sum += Vector256.LoadUnsafe(ref channel, (nuint)(runs[r] + k));
                }

                (Vector256.LoadUnsafe(ref target, (nuint)k) + sum).StoreUnsafe(ref target, (nuint)k);
            }
        }

        for (; k < count; k++)
        {
            T sum = Unsafe.Add(ref channel, runs[0] + k);
            for (int r = 1; r < runs.Length; r++)
            {
                sum += Unsafe.Add(ref channel, runs[r] + k);
            }

            Unsafe.Add(ref target, k * stride) += sum;
        }
    }

    /// <summary>
    /// The output columns [lo, hi) whose input column <c>ow·stride - pad + offset</c> lies in [0, width).
    /// </summary>
    public static (int Lo, int Hi) ValidRange(int outWidth, int width, int stride, int pad, int offset)
    {
        int lo = Math.Clamp(CeilDiv(pad - offset, stride), 0, outWidth);
        int hi = Math.Clamp(CeilDiv(width + pad - offset, stride), lo, outWidth);
        return (lo, hi);
    }

    private static int CeilDiv(int a, int b) => b == 1 ? a : a <= 0 ? -(-a / b) : (a + b - 1) / b;
}
