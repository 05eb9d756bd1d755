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
            for (long p = start; p < end; p++)
            {
                int n = (int)(p / g.GroupChannels), c = (int)(p % g.GroupChannels);
                FoldPlane<T>(s.Col, g.ColumnCols, n * g.OutPlane, g, c, s.X.AsSpan((int)g.InputPlaneOffset(n, s.Group, c), g.Height * g.Width));
            }
        });
    }

    /// <summary>
    /// Overwrites one input plane with the sum of the column entries that read it: input channel
    /// <paramref name="c"/>'s window rows of a column matrix whose rows are <paramref name="rowStride"/>
    /// apart, this image's entries starting at <paramref name="offset"/> in each row.
    /// </summary>
    public static void FoldPlane<T>(ReadOnlySpan<T> col, int rowStride, int offset, in ConvGeometry g, int c, Span<T> plane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        plane.Clear();
        int window = g.KernelH * g.KernelW;
        for (int k = 0; k < window; k++)
        {
            AddWindowRow(col.Slice((int)(((long)((c * window) + k) * rowStride) + offset), g.OutPlane), plane, g, k / g.KernelW, k % g.KernelW);
        }
    }

    /// <summary>Adds one kernel position's column entries of one image back into its input plane.</summary>
    public static void AddWindowRow<T>(ReadOnlySpan<T> source, Span<T> plane, in ConvGeometry g, int i, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lo, hi) = ValidRange(g.OutWidth, g.Width, g.StrideW, g.PadW, j * g.DilationW);
        if (hi <= lo || plane.Length < g.Height * g.Width || source.Length < g.OutPlane)
        {
            return;
        }

        int first = (lo * g.StrideW) - g.PadW + (j * g.DilationW), count = hi - lo;
        ref T column = ref MemoryMarshal.GetReference(source);
        ref T image = ref MemoryMarshal.GetReference(plane);
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            if ((uint)ih >= (uint)g.Height)
            {
                continue;
            }

            ref T line = ref Unsafe.Add(ref column, (oh * g.OutWidth) + lo);
            ref T target = ref Unsafe.Add(ref image, (ih * g.Width) + first);
            if (g.StrideW == 1)
            {
                int k = 0;
                for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                {
                    (Vector256.LoadUnsafe(ref target, (nuint)k) + Vector256.LoadUnsafe(ref line, (nuint)k)).StoreUnsafe(ref target, (nuint)k);
                }

                for (; k < count; k++)
                {
                    Unsafe.Add(ref target, k) += Unsafe.Add(ref line, k);
                }
            }
            else
            {
                for (int k = 0; k < count; k++)
                {
                    Unsafe.Add(ref target, k * g.StrideW) += Unsafe.Add(ref line, k);
                }
            }
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

    private static int CeilDiv(int a, int b) => a <= 0 ? -(-a / b) : (a + b - 1) / b;
}
