using System.Numerics;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The column matrix of a stride-1 convolution over padded copies of the image (see
/// <see cref="PaddedConvolution"/>) as a GEMM panel source: row (c, i, j) is the run of the
/// copies that <see cref="PaddedLayout.RowOffsets"/> places. The micro-kernels read these runs
/// where they lie (<see cref="Direct"/>).
/// </summary>
internal readonly unsafe struct PaddedRows<T>(T* copies, PaddedLayout layout, ConvGeometry g) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool Direct => true;

    /// <inheritdoc />
    public void Rows(int p0, int count, T** rows)
    {
        Span<long> offsets = stackalloc long[count];
        layout.RowOffsets(g, p0, offsets);
        for (int r = 0; r < count; r++)
        {
            rows[r] = copies + offsets[r];
        }
    }

    /// <inheritdoc />
    public int Column(int j) => j;
}
