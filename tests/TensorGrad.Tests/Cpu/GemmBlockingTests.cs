using TensorGrad.Backends.Cpu;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Tests.Cpu;

/// <summary>The GEMM's cache blocks follow the cache sizes a machine reports.</summary>
public sealed class GemmBlockingTests
{
    [Theory]
    [InlineData(32 << 10, 1 << 20, 8, 32, 4, 256, 768, 768)]    // Zen 4, float, Vector512: KC as once tuned by hand there
    [InlineData(48 << 10, 1 << 20, 8, 32, 4, 384, 512, 512)]    // Zen 5
    [InlineData(48 << 10, 2 << 20, 8, 32, 4, 384, 1024, 1024)]  // a Xeon with 2 MB of L2: twice the B slab
    [InlineData(32 << 10, 256 << 10, 6, 16, 4, 336, 144, 144)]  // an AVX2 core with a small L2
    [InlineData(48 << 10, 2 << 20, 8, 16, 8, 192, 1024, 1024)]  // double
    [InlineData(4 << 10, 16 << 10, 8, 32, 4, 128, 24, 32)]      // tiny caches: at least one register tile, depth at least 128
    public void Blocks_keep_the_a_panel_in_l1_and_the_packed_b_slab_in_l2(long l1, long l2, int mr, int nr, int bytes, int kc, int mc, int nc)
    {
        var blocking = GemmBlocking.For(l1, l2, mr, nr, bytes);
        Assert.Equal(new GemmBlocking(kc, mc, nc), blocking);
        Assert.Equal(0, blocking.Mc % mr);
        Assert.Equal(0, blocking.Nc % nr);
        if (blocking.Kc > 128 && blocking.Nc > nr)
        {
            // Unless held at their minimum, the A panel fits in half of L1 and the packed B slab in L2.
            Assert.True((long)blocking.Kc * mr * bytes <= l1 / 2, $"{blocking}: the A panel overflows half of {l1} B of L1");
            Assert.True((long)blocking.Kc * blocking.Nc * bytes <= l2, $"{blocking}: the B slab overflows {l2} B of L2");
        }
    }

    [Theory]
    [InlineData("48K", 48L << 10)]
    [InlineData("1024K\n", 1L << 20)]
    [InlineData("2M", 2L << 20)]
    [InlineData("512", 512L)]
    public void Cache_sizes_parse_as_the_machine_writes_them(string text, long bytes) => Assert.Equal(bytes, CpuCaches.ParseSize(text));

    [Theory]
    [InlineData("")]
    [InlineData("big")]
    [InlineData("0K")]
    [InlineData("-4K")]
    public void A_size_that_is_not_one_parses_as_unknown(string text) => Assert.Null(CpuCaches.ParseSize(text));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_processors_own_cache_descriptions_agree_with_linux(int level)
    {
        // Where there is no /sys (Windows, macOS), the sizes come from CPUID: on an x86 Linux
        // machine both are there to compare.
        Assert.SkipUnless(System.Runtime.Intrinsics.X86.X86Base.IsSupported && CpuCaches.Read(level) is not null, "needs an x86 processor and Linux's /sys cache descriptions");
        Assert.Equal(CpuCaches.Read(level), CpuCaches.FromCpuid(level));
    }

    [Fact]
    public void The_machine_reports_positive_sizes_growing_with_the_level()
    {
        Assert.InRange(CpuCaches.L1, 4 << 10, 1 << 20);
        Assert.True(CpuCaches.L2 > CpuCaches.L1, $"L2 {CpuCaches.L2} B is not larger than L1 {CpuCaches.L1} B");
        Assert.True(CpuCaches.L3 >= CpuCaches.L2, $"L3 {CpuCaches.L3} B is smaller than L2 {CpuCaches.L2} B");
    }
}
