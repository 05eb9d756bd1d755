namespace TensorGrad.Backends;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
/// counter-based generator, so element i of a draw is a pure function of (seed, offset + i) and
/// every backend, thread split and replay produces the same numbers. Word i of a stream is word
/// i mod 4 of the block at counter i / 4. Written with 64-bit products only, so ILGPU kernels
/// compile it as the CPU runs it.
/// </summary>
public static class Philox
{
    internal const uint M0 = 0xD2511F53;
    internal const uint M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9;
    internal const uint W1 = 0xBB67AE85;

    /// <summary>The four words of Philox4x32-10 at counter (c0, c1, c2, c3) with key (k0, k1).</summary>
    public static PhiloxBlock Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }

        return new PhiloxBlock(c0, c1, c2, c3);
    }

    /// <summary>The 64-bit counter <paramref name="block"/> under the 64-bit <paramref name="seed"/>.</summary>
    public static PhiloxBlock Block(ulong seed, ulong block) =>
        Block((uint)block, (uint)(block >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));

    /// <summary>
    /// The threshold <c>t</c> for keeping an element with probability 1 - <paramref name="p"/>:
    /// keep when the word's top 24 bits are ≥ t. Integer, so every backend decides alike.
    /// </summary>
    public static uint KeepThreshold(double p) => (uint)Math.Ceiling(Math.Clamp(p, 0, 1) * (1 << 24));
}

/// <summary>The four 32-bit words of one Philox block.</summary>
/// <param name="X0">Word 0.</param>
/// <param name="X1">Word 1.</param>
/// <param name="X2">Word 2.</param>
/// <param name="X3">Word 3.</param>
public readonly record struct PhiloxBlock(uint X0, uint X1, uint X2, uint X3)
{
    /// <summary>Word <paramref name="index"/> (0 to 3).</summary>
    public uint this[int index] => index switch
    {
        0 => X0,
        1 => X1,
        2 => X2,
        _ => X3,
    };
}

/// <summary>
/// A stream of Philox words: a seed and the next unused offset. Each kernel that draws takes a
/// range (<see cref="Take"/>) when it runs, so a replayed graph draws fresh numbers, and the
/// same seed gives the same sequence in eager and replayed training.
/// </summary>
/// <param name="seed">The key.</param>
public sealed class RandomStream(ulong seed)
{
    private long offset;

    /// <summary>The key.</summary>
    public ulong Seed { get; } = seed;

    /// <summary>The next unused offset (a multiple of 4: draws start on a block).</summary>
    public ulong Offset => (ulong)Interlocked.Read(ref offset);

    /// <summary>Reserves <paramref name="count"/> words (rounded up to whole blocks) and returns the first one's offset.</summary>
    public ulong Take(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long blocks = checked((count + 3) / 4 * 4);
        return (ulong)(Interlocked.Add(ref offset, blocks) - blocks);
    }
}
