using System.Numerics;

namespace TensorGrad.Backends;

/// <summary>Inverted-dropout masks from Philox words on the host: the CPU backend's kernel and the composite default.</summary>
public static class DropoutMasks
{
    /// <summary>
    /// Fills <paramref name="mask"/> with 1 / (1 - p) or 0 for the words at
    /// <paramref name="offset"/> + i of the stream keyed by <paramref name="seed"/>
    /// (<paramref name="offset"/> is a multiple of 4, as <see cref="RandomStream.Take"/> gives).
    /// </summary>
    public static void Fill<T>(Span<T> mask, double p, ulong seed, ulong offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        uint threshold = Philox.KeepThreshold(p);
        T scale = p < 1 ? T.CreateTruncating(1 / (1 - p)) : T.Zero;
        ulong firstBlock = offset / 4;
        for (int i = 0; i < mask.Length; i += 4)
        {
            var block = Philox.Block(seed, firstBlock + (ulong)(i / 4));
            int n = Math.Min(4, mask.Length - i);
            for (int w = 0; w < n; w++)
            {
                mask[i + w] = block[w] >> 8 >= threshold ? scale : T.Zero;
            }
        }
    }
}
