using System.Runtime.Intrinsics;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// The CPU backend picks its SIMD path when the process starts: Vector512 kernels on AVX-512,
/// Vector256 ones on AVX2, and vectors of the machine's width elsewhere (128 bits on ARM64). CI
/// runs this namespace again with the runtime told to ignore the wider instruction sets, and
/// TENSORGRAD_REQUIRE_SIMD names the path each run must take: were the runtime's switch renamed,
/// that run would fail here instead of testing the widest path again under another name.
/// </summary>
public sealed class SimdPathTests
{
    [Fact]
    public void The_process_takes_the_simd_path_that_TENSORGRAD_REQUIRE_SIMD_names()
    {
        string? required = Environment.GetEnvironmentVariable("TENSORGRAD_REQUIRE_SIMD");
        if (string.IsNullOrEmpty(required))
        {
            Assert.Skip("TENSORGRAD_REQUIRE_SIMD is not set, so no SIMD path is required (CI sets it for its narrower runs)");
        }

        string taken = Vector512.IsHardwareAccelerated ? "vector512"
            : Vector256.IsHardwareAccelerated ? "vector256"
            : Vector128.IsHardwareAccelerated ? "vector128"
            : "scalar";
        Assert.Equal(required, taken);
    }
}
