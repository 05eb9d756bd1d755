using System.Numerics;
using System.Runtime.InteropServices;
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
    /// With AVX2, four blocks are drawn and decided at once (<see cref="FourBlocks"/>); the words
    /// are the same.
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
            var keepAt = Vector256.Create((int)threshold);
            var scales = Vector256.Create(float.CreateTruncating(scale));
            Span<int> keep = stackalloc int[16];
            for (; i <= mask.Length - 16; i += 16)
            {
                // The 16 words in element order, each lane all ones where the element is kept.
                (var first, var second) = FourBlocks(seed, firstBlock + (ulong)(i / 4));
                first = Vector256.GreaterThanOrEqual((first >>> 8).AsInt32(), keepAt).AsUInt32();
                second = Vector256.GreaterThanOrEqual((second >>> 8).AsInt32(), keepAt).AsUInt32();
                if (typeof(T) == typeof(float))
                {
                    var target = MemoryMarshal.Cast<T, float>(mask.Slice(i, 16));
                    (first.AsSingle() & scales).CopyTo(target);
                    (second.AsSingle() & scales).CopyTo(target[8..]);
                    continue;
                }

                first.AsInt32().CopyTo(keep);
                second.AsInt32().CopyTo(keep[8..]);
                for (int w = 0; w < 16; w++)
                {
                    mask[i + w] = keep[w] != 0 ? scale : T.Zero;
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
    /// to <paramref name="block"/> + 3 under <paramref name="seed"/>, as their 16 words in stream
    /// order: blocks 0 and 1 in the first vector, 2 and 3 in the second (AVX2).
    /// </summary>
    private static (Vector256<uint> First, Vector256<uint> Second) FourBlocks(ulong seed, ulong block)
    {
        // One block per 64-bit lane, each word in a lane's low half, so the 32×32 → 64-bit
        // products of a round are vpmuludq.
        var low = Vector256.Create(0xFFFF_FFFFUL);
        var counter = Vector256.Create(block, block + 1, block + 2, block + 3);
        Vector256<ulong> c0 = counter & low, c1 = counter >>> 32, c2 = Vector256<ulong>.Zero, c3 = Vector256<ulong>.Zero;
        var m0 = Vector256.Create((ulong)Philox.M0).AsUInt32();
        var m1 = Vector256.Create((ulong)Philox.M1).AsUInt32();
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
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

        // Words 0, 1 and 2, 3 of each block side by side, then each block's four words together:
        // a = [b0w0 b0w1 b1w0 b1w1 | b2w0 b2w1 b3w0 b3w1], b the same for words 2 and 3.
        var a = (c0 | (c1 << 32)).AsUInt64();
        var b = (c2 | (c3 << 32)).AsUInt64();
        var even = Avx2.UnpackLow(a, b).AsUInt32();   // blocks 0 | 2
        var odd = Avx2.UnpackHigh(a, b).AsUInt32();   // blocks 1 | 3
        return (Avx2.Permute2x128(even, odd, 0x20), Avx2.Permute2x128(even, odd, 0x31));
    }
}
