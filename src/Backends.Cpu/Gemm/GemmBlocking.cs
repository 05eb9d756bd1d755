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
    /// that the kc×NC B slab, which every A panel streams through, takes three quarters of L2;
    /// MC the same count of rows (the A slab is read a panel at a time into L1, so it need not
    /// stay in L2 beside the B slab). Multiples of NR and MR, at least one register tile, at most
    /// 4096. Measured on a Zen 5 (48 KiB L1d, 1 MiB L2) at 2048²: half of L2 for each slab
    /// (NC 320) ran 10 % slower than these sizes (NC 512).
    /// </summary>
    public static GemmBlocking For(long l1Bytes, long l2Bytes, int mr, int nr, int elementBytes)
    {
        int kc = (int)Math.Clamp(l1Bytes / (4L * mr * elementBytes) / 8 * 8, 128, 512);
        long slab = l2Bytes * 3 / 4 / ((long)kc * elementBytes);
        int nc = (int)Math.Clamp(slab / nr * nr, nr, 4096 / nr * nr);
        int mc = (int)Math.Clamp(slab / mr * mr, mr, 4096 / mr * mr);
        return new GemmBlocking(kc, mc, nc);
    }
}
