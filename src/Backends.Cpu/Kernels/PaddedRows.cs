using System.Numerics;
using System.Runtime.Intrinsics;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The column matrix of a stride-1 convolution over a padded image (see
/// <see cref="PaddedConvolution"/>) as a GEMM panel source: row (c, i, j) is the run of the
/// padded copy that starts at channel c, row i·DilationH, column j·DilationW.
/// </summary>
internal readonly unsafe struct PaddedRows<T>(T* padded, int height, int width, ConvGeometry g) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public void Pack(int p0, int j0, int kc, int nc, int nr, T* dst)
    {
        int window = g.KernelH * g.KernelW, vector = Vector<T>.Count;
        bool wide = Vector512.IsHardwareAccelerated && nr % Vector512<T>.Count == 0;
        long plane = (long)height * width;
        for (int p = 0; p < kc; p++)
        {
            int row = p0 + p;
            int c = row / window, i = row % window / g.KernelW, j = row % g.KernelW;
            T* source = padded + (c * plane) + ((long)i * g.DilationH * width) + (j * g.DilationW) + j0;
            T* target = dst + ((long)p * nr);
            int q = 0;
            for (; q <= nc - nr; q += nr, target += (long)kc * nr)
            {
                if (wide)
                {
                    for (int k = 0; k < nr; k += Vector512<T>.Count)
                    {
                        Vector512.Load(source + q + k).Store(target + k);
                    }
                }
                else
                {
                    for (int k = 0; k < nr; k += vector)
                    {
                        Vector.Load(source + q + k).Store(target + k);
                    }
                }
            }

            if (q < nc)
            {
                new ReadOnlySpan<T>(source + q, nc - q).CopyTo(new Span<T>(target, nc - q));
                new Span<T>(target + (nc - q), nr - (nc - q)).Clear();
            }
        }
    }
}
