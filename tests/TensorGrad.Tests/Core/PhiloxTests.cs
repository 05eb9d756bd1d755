using TensorGrad.Backends;

namespace TensorGrad.Tests.Core;

/// <summary>Philox4x32-10 against the known-answer vectors of Random123 (kat_vectors), and the stream's offsets.</summary>
public sealed class PhiloxTests
{
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Blocks_match_the_published_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint x0, uint x1, uint x2, uint x3)
    {
        Assert.Equal(new PhiloxBlock(x0, x1, x2, x3), Philox.Block(c0, c1, c2, c3, k0, k1));
    }

    [Fact]
    public void A_stream_hands_out_whole_blocks_in_order()
    {
        var stream = new RandomStream(5);

        Assert.Equal(0ul, stream.Take(3));
        Assert.Equal(4ul, stream.Take(8));
        Assert.Equal(12ul, stream.Take(0));
        Assert.Equal(12ul, stream.Offset);
    }

    [Fact]
    public void The_keep_threshold_keeps_everything_at_zero_and_nothing_at_one()
    {
        Assert.Equal(0u, Philox.KeepThreshold(0));
        Assert.Equal(1u << 24, Philox.KeepThreshold(1));
        Assert.Equal(1u << 23, Philox.KeepThreshold(0.5));
    }
}
