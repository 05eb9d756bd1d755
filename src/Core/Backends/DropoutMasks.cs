using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Backends;

/// <summary>Inverted-dropout masks from Philox words on the host: the CPU backend's kernel and the composite default.</summary>
public static class DropoutMasks
{
    /// <summary>
    /// Fills <paramref name="mask"/> with 1 / (1 - p) or 0 for the words at
    /// <paramref name="offset"/> + i of the stream keyed by <paramref name="seed"/>
    /// (<paramref name="offset"/> is a multiple of 4, as <see cref="RandomStream.Take"/> gives).
    /// With AVX2, four blocks are drawn at once (<see cref="FourBlocks"/>); the words are the same.
    /// </summary>
    public static void Fill<T>(Span<T> mask, double p, ulong seed, ulong offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        uint threshold = Philox.KeepThreshold(p);
        T scale = p < 1 ? T.CreateTruncating(1 / (1 - p)) : T.Zero;
        ulong firstBlock = offset / 4;
        int i = 0;
        if (Avx2.IsSupported)
        {
            Span<ulong> words = stackalloc ulong[16];
            for (; i <= mask.Length - 16; i += 16)
            {
                FourBlocks(seed, firstBlock + (ulong)(i / 4), words);
                for (int w = 0; w < 16; w++)
                {
                    // words holds word w % 4 of block w / 4 at (w % 4)·4 + w / 4.
                    mask[i + w] = (uint)words[((w & 3) * 4) + (w >> 2)] >> 8 >= threshold ? scale : T.Zero;
                }
            }
        }

        for (; i < mask.Length; i += 4)
        {
            var block = Philox.Block(seed, firstBlock + (ulong)(i / 4));
            int n = Math.Min(4, mask.Length - i);
            for (int w = 0; w < n; w++)
            {
                mask[i + w] = block[w] >> 8 >= threshold ? scale : T.Zero;
            }
        }
    }

    /// <summary>
    /// Philox4x32-10 (<see cref="Philox.Block(ulong, ulong)"/>) of the blocks <paramref name="block"/>
    /// to <paramref name="block"/> + 3 under <paramref name="seed"/>, one block per 64-bit lane, each
    /// word in a lane's low half: word w of block b goes to <c>words[w·4 + b]</c> (AVX2).
    /// </summary>
    private static void FourBlocks(ulong seed, ulong block, Span<ulong> words)
    {
        var low = Vector256.Create(0xFFFF_FFFFUL);
        var counter = Vector256.Create(block, block + 1, block + 2, block + 3);
        Vector256<ulong> c0 = counter & low, c1 = counter >>> 32, c2 = Vector256<ulong>.Zero, c3 = Vector256<ulong>.Zero;
        var m0 = Vector256.Create((ulong)Philox.M0).AsUInt32();
        var m1 = Vector256.Create((ulong)Philox.M1).AsUInt32();
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            // The even 32-bit lanes hold the words, so the 32×32 → 64-bit products are vpmuludq.
            var p0 = Avx2.Multiply(c0.AsUInt32(), m0);
            var p1 = Avx2.Multiply(c2.AsUInt32(), m1);
            var n0 = (p1 >>> 32) ^ c1 ^ Vector256.Create((ulong)k0);
            var n2 = (p0 >>> 32) ^ c3 ^ Vector256.Create((ulong)k1);
            c1 = p1 & low;
            c3 = p0 & low;
            c0 = n0;
            c2 = n2;
            k0 += Philox.W0;
            k1 += Philox.W1;
        }

        c0.CopyTo(words);
        c1.CopyTo(words[4..]);
        c2.CopyTo(words[8..]);
        c3.CopyTo(words[12..]);
    }
}
