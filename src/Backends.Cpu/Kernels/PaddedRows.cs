using System.Numerics;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The column matrix of a stride-1 convolution over a padded image (see
/// <see cref="PaddedConvolution"/>) as a GEMM panel source: row (c, i, j) is the run of the
/// padded copy that starts at channel c, row i·DilationH, column j·DilationW. With Vector512 the
/// micro-kernel reads these runs where they lie (<see cref="Direct"/>); otherwise they are packed.
/// </summary>
internal readonly unsafe struct PaddedRows<T>(T* padded, int height, int width, ConvGeometry g) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool Direct => true;

    /// <inheritdoc />
    public T* Row(int p)
    {
        int window = g.KernelH * g.KernelW;
        int c = p / window, i = p % window / g.KernelW, j = p % g.KernelW;
        return padded + ((long)c * height * width) + ((long)i * g.DilationH * width) + (j * g.DilationW);
    }

    /// <inheritdoc />
    /// <remarks>Only without Vector512 (with it, the micro-kernel reads the rows where they lie).</remarks>
    public void Pack(int p0, int j0, int kc, int nc, int nr, T* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            T* source = Row(p0 + p) + j0;
            T* target = dst + ((long)p * nr);
            int q = 0;
            for (; q <= nc - nr; q += nr, target += (long)kc * nr)
            {
                for (int k = 0; k < nr; k += Vector<T>.Count)
                {
                    Vector.Load(source + q + k).Store(target + k);
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
