using System.Numerics;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// One image's column matrix (rows (c, i, j) for channel c and kernel position (i, j), columns
/// the output positions; see <see cref="ConvGeometry"/>) as the GEMM's source of packed panels:
/// each kc×nr panel is gathered straight from the image's planes into the GEMM's packing buffer,
/// so the column matrix is never written out (implicit GEMM). Padding reads as zero; a negative
/// padding crops, which the input gradient's transposed convolution uses.
/// </summary>
/// <param name="image">Channel 0 of the image (the group's first channel), planes of Height × Width after it.</param>
/// <param name="g">The convolution's sizes; Batch, Groups and OutChannels are not used.</param>
internal readonly unsafe struct ImageColumns<T>(T* image, ConvGeometry g) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    /// <remarks>
    /// Each row of the slab is first built for all nc output positions in a small buffer (one
    /// output row at a time, contiguous copies at stride 1), which stays in L1, then copied into
    /// the panels a vector at a time.
    /// </remarks>
    public void Pack(int p0, int j0, int kc, int nc, int nr, T* dst)
    {
        int window = g.KernelH * g.KernelW, padded = (nc + nr - 1) / nr * nr;
        long planeSize = (long)g.Height * g.Width;
        T* line = stackalloc T[padded];
        new Span<T>(line + nc, padded - nc).Clear();
        for (int p = 0; p < kc; p++)
        {
            int row = p0 + p;
            int c = row / window, i = row % window / g.KernelW, j = row % g.KernelW;
            Gather(image + (c * planeSize), i, j, j0, nc, line);
            T* target = dst + ((long)p * nr);
            for (int q = 0; q < padded; q += nr, target += (long)kc * nr)
            {
                for (int k = 0; k < nr; k += Vector<T>.Count)
                {
                    Vector.Load(line + q + k).Store(target + k);
                }
            }
        }
    }

    // Output positions [first, first + count) of row (i, j), which span several output rows.
    private void Gather(T* plane, int i, int j, int first, int count, T* dst)
    {
        var (lo, hi) = ConvolutionKernels.ValidRange(g.OutWidth, g.Width, g.StrideW, g.PadW, j * g.DilationW);
        int oh = first / g.OutWidth, ow = first % g.OutWidth;
        int shift = (j * g.DilationW) - g.PadW;
        while (count > 0)
        {
            int end = Math.Min(g.OutWidth, ow + count), run = end - ow;
            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
            if ((uint)ih >= (uint)g.Height)
            {
                ConvolutionKernels.Zero(ref *dst, run);
            }
            else
            {
                int a = Math.Clamp(lo, ow, end), b = Math.Clamp(hi, a, end);
                T* source = plane + ((long)ih * g.Width) + shift;
                if (g.StrideW == 1)
                {
                    // The whole run zeroed, then its inside copied over it: vector stores, no edge cases.
                    ConvolutionKernels.Zero(ref *dst, run);
                    ConvolutionKernels.Copy(ref *(source + a), ref *(dst + (a - ow)), b - a);
                }
                else
                {
                    ConvolutionKernels.Zero(ref *dst, a - ow);
                    for (int o = a; o < b; o++)
                    {
                        dst[o - ow] = source[o * g.StrideW];
                    }

                    ConvolutionKernels.Zero(ref *(dst + (b - ow)), end - b);
                }
            }

            dst += run;
            count -= run;
            ow = 0;
            oh++;
        }
    }
}
