namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// The GEMM's cache blocks for a machine's cache sizes (see <see cref="CpuGemm.Blocking{T}"/>):
/// KC, the depth of a packed slice; MC, the rows of a packed A slab; NC, the columns of a packed
/// B slab.
/// </summary>
internal readonly record struct GemmBlocking(int Kc, int Mc, int Nc)
{
    /// <summary>
    /// KC so that a kc×MR A panel takes a quarter of L1 (multiple of 8, 128-512 elements); NC so
    /// that the kc×NC B slab takes half of L2 and MC so that the MC×kc A slab takes the other half
    /// (multiples of NR and MR, at least one register tile, at most 4096).
    /// </summary>
    public static GemmBlocking For(long l1Bytes, long l2Bytes, int mr, int nr, int elementBytes)
    {
        int kc = (int)Math.Clamp(l1Bytes / (4L * mr * elementBytes) / 8 * 8, 128, 512);
        long half = l2Bytes / 2 / ((long)kc * elementBytes);
        int nc = (int)Math.Clamp(half / nr * nr, nr, 4096 / nr * nr);
        int mc = (int)Math.Clamp(half / mr * mr, mr, 4096 / mr * mr);
        return new GemmBlocking(kc, mc, nc);
    }
}
