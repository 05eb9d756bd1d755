using System.Numerics;
using System.Runtime.Intrinsics;

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
    /// Whether the micro-kernels (either width) read op(B) where it lies (<see cref="Rows"/>,
    /// <see cref="Column"/>) instead of packed panels: element (p, j) at <c>row(p) + Column(j)</c>,
    /// where the columns of each register tile (NR columns from a multiple of NR, or from any
    /// column for a source whose rows are contiguous runs) follow one another, readable for a
    /// whole tile past the last column.
    /// </summary>
    static virtual bool Direct => false;

    /// <summary>Where rows [p0, p0 + count) of op(B) start, for a <see cref="Direct"/> source: <c>rows[r]</c> for row p0 + r.</summary>
    void Rows(int p0, int count, T** rows) => throw new NotSupportedException($"{GetType().Name} packs its panels; its rows are not read directly.");

    /// <summary>The offset of column j from the start of every row, for a <see cref="Direct"/> source.</summary>
    int Column(int j) => throw new NotSupportedException($"{GetType().Name} packs its panels; its columns are not read directly.");

    /// <summary>
    /// Packs rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ceil(nc / nr) panels of
    /// kc×nr: panel q holds columns j0 + q·nr.., element (p, j) at <c>dst[q * kc * nr + p * nr + j]</c>;
    /// columns past nc are zero. A <see cref="Direct"/> source is never packed.
    /// </summary>
    void Pack(int p0, int j0, int kc, int nc, int nr, T* dst) => throw new NotSupportedException($"{GetType().Name} is read where it lies; it is not packed.");
}

/// <summary>op(B) stored in memory, k×n or (transposed) n×k, row-major with leading dimension <c>ldb</c>.</summary>
internal readonly unsafe struct StoredB<T>(bool transB, T* b, int ldb) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public void Pack(int p0, int j0, int kc, int nc, int nr, T* dst) => GemmPacking.PackB(transB, b, ldb, p0, j0, kc, nc, nr, dst);
}

/// <summary>
/// op(B) = B stored k×n (row-major, leading dimension <c>ldb</c>) read where it lies. Only for
/// columns in whole register tiles: the micro-kernel reads a whole tile, which past the last
/// column of the last row would run off the end of B.
/// </summary>
internal readonly unsafe struct DirectB<T>(T* b, int ldb) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool Direct => true;

    /// <inheritdoc />
    public void Rows(int p0, int count, T** rows)
    {
        for (int r = 0; r < count; r++)
        {
            rows[r] = b + ((long)(p0 + r) * ldb);
        }
    }

    /// <inheritdoc />
    public int Column(int j) => j;
}

/// <summary>Where the micro-kernel reads row p of its kc×NR block of op(B).</summary>
internal unsafe interface IPanelRows<T>
    where T : unmanaged
{
    /// <summary>The first of the block's NR values in row p.</summary>
    T* Row(int p);
}

/// <summary>A packed panel: row p at <c>b + p·NR</c> (NR = two Vector512s).</summary>
internal readonly unsafe struct PackedPanel<T>(T* b) : IPanelRows<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public T* Row(int p) => b + (p * 2 * Vector512<T>.Count);
}

/// <summary>A packed panel of the <see cref="Vector{T}"/> kernel: row p at <c>b + p·NR</c> (NR = two Vector&lt;T&gt;s).</summary>
internal readonly unsafe struct PackedVectorPanel<T>(T* b) : IPanelRows<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public T* Row(int p) => b + (p * 2 * Vector<T>.Count);
}

/// <summary>Rows read where they lie: row p at <c>rows[p] + column</c>.</summary>
internal readonly unsafe struct RowTable<T>(T** rows, int column) : IPanelRows<T>
    where T : unmanaged
{
    /// <inheritdoc />
    public T* Row(int p) => rows[p] + column;
}
