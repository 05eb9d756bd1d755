using TensorGrad.Backends;

namespace TensorGrad.Tests.Core;

/// <summary>
/// <see cref="DropoutMasks.Fill{T}"/> draws four Philox blocks at once where AVX2 allows; every
/// element must still be decided by its own word of <see cref="Philox.Block(ulong, ulong)"/>.
/// </summary>
public sealed class DropoutMaskTests
{
    [Theory]
    [InlineData(0, 0ul, 0ul)]
    [InlineData(1, 3ul, 0ul)]
    [InlineData(15, 7ul, 4ul)]
    [InlineData(16, 7ul, 4ul)]
    [InlineData(17, 0xDEADBEEF_12345678ul, 64ul)]
    [InlineData(1001, 0xFFFFFFFF_FFFFFFFFul, 4000ul)]
    [InlineData(64, 42ul, 0x3_FFFF_FFF8ul)] // counters 0xFFFF_FFFE.. cross into the block's high word
    public void Each_element_keeps_or_drops_by_its_own_philox_word(int length, ulong seed, ulong offset)
    {
        const double p = 0.3;
        var mask = new float[length];
        var doubles = new double[length];

        DropoutMasks.Fill<float>(mask, p, seed, offset);
        DropoutMasks.Fill<double>(doubles, p, seed, offset);

        uint threshold = Philox.KeepThreshold(p);
        for (int i = 0; i < length; i++)
        {
            ulong word = (offset / 4) + (ulong)(i / 4);
            bool keep = Philox.Block(seed, word)[i % 4] >> 8 >= threshold;
            Assert.Equal(keep ? 1 / 0.7f : 0f, mask[i]);
            Assert.Equal(keep ? 1 / 0.7 : 0, doubles[i]);
        }
    }
}
