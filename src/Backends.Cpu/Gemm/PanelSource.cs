using System.Numerics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// Where the GEMM's packed panels of op(B) come from. A stored matrix is copied
/// (<see cref="StoredB{T}"/>); a convolution's column matrix can instead be gathered straight
/// from the image into the panels, so it is never written out whole.
/// </summary>
internal unsafe interface IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Packs rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ceil(nc / nr) panels of
    /// kc×nr: panel q holds columns j0 + q·nr.., element (p, j) at <c>dst[q * kc * nr + p * nr + j]</c>;
    /// columns past nc are zero.
    /// </summary>
    void Pack(int p0, int j0, int kc, int nc, int nr, T* dst);
}

/// <summary>op(B) stored in memory, k×n or (transposed) n×k, row-major with leading dimension <c>ldb</c>.</summary>
internal readonly unsafe struct StoredB<T>(bool transB, T* b, int ldb) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public void Pack(int p0, int j0, int kc, int nc, int nr, T* dst) => GemmPacking.PackB(transB, b, ldb, p0, j0, kc, nc, nr, dst);
}
