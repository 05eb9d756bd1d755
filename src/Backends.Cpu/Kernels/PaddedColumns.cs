using System.Numerics;
using System.Runtime.Intrinsics.X86;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The transpose of <see cref="PaddedRows{T}"/>'s column matrix as a GEMM panel source, for the
/// weight gradient: row k of op(B) is wide output position k, column (c, i, j) the run of the
/// copies that <see cref="PaddedLayout.RowOffsets"/> places. Float panels are filled with 8×8 register
/// transposes of eight runs at a time.
/// </summary>
internal readonly unsafe struct PaddedColumns<T>(T* copies, PaddedLayout layout, ConvGeometry g) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PaddedRows<T> rows = new(copies, layout, g);

    /// <inheritdoc />
    public void Pack(int p0, int j0, int kc, int nc, int nr, T* dst)
    {
        T** runs = stackalloc T*[8];
        for (int jp = 0; jp < nc; jp += nr, dst += (long)kc * nr)
        {
            int panelWidth = Math.Min(nr, nc - jp);
            if (panelWidth < nr)
            {
                new Span<T>(dst, kc * nr).Clear();
            }

            for (int jj = 0; jj < panelWidth; jj += 8)
            {
                int count = Math.Min(8, panelWidth - jj);
                rows.Rows(j0 + jp + jj, count, runs);
                for (int t = 0; t < count; t++)
                {
                    runs[t] += p0;
                }

                int done = 0;
                if (typeof(T) == typeof(float) && Avx.IsSupported && count == 8)
                {
                    done = kc & ~7;
                    for (int k = 0; k < done; k += 8)
                    {
                        GemmPacking.Transpose8x8(
                            Avx.LoadVector256((float*)runs[0] + k), Avx.LoadVector256((float*)runs[1] + k),
                            Avx.LoadVector256((float*)runs[2] + k), Avx.LoadVector256((float*)runs[3] + k),
                            Avx.LoadVector256((float*)runs[4] + k), Avx.LoadVector256((float*)runs[5] + k),
                            Avx.LoadVector256((float*)runs[6] + k), Avx.LoadVector256((float*)runs[7] + k),
                            (float*)dst + ((long)k * nr) + jj, nr);
                    }
                }

                for (int t = 0; t < count; t++)
                {
                    T* run = runs[t];
                    T* column = dst + jj + t;
                    for (int k = done; k < kc; k++)
                    {
                        column[(long)k * nr] = run[k];
                    }
                }
            }
        }
    }
}
