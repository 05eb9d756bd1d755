using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Kernels that draw from a Philox stream, split over cores in whole blocks of four words.</summary>
internal static class RandomKernels
{
    /// <summary>Elements drawn and applied together, so the mask is still in L1 when it is applied.</summary>
    private const int Tile = 1024;

    /// <summary>
    /// Tiles per part of a split: drawing costs a few cycles per element (ten Philox rounds per
    /// four words), far more than an elementwise op, so a split pays from a few thousand elements.
    /// </summary>
    private const int TilesPerPart = 4;

    /// <summary>mask = 1/(1 - p) or 0 per element (see <see cref="DropoutMasks"/>), and y = x·mask, tile by tile.</summary>
    public static void Dropout<T>(T[] x, T[] y, T[] mask, double p, ulong seed, ulong offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long tiles = (mask.LongLength + Tile - 1) / Tile;
        CpuParallel.For(tiles, TilesPerPart, (X: x, Y: y, Mask: mask, P: p, Seed: seed, Offset: offset), static (s, start, end) =>
        {
            for (long tile = start; tile < end; tile++)
            {
                int first = (int)(tile * Tile), length = (int)Math.Min(Tile, s.Mask.LongLength - first);
                var m = s.Mask.AsSpan(first, length);
                DropoutMasks.Fill(m, s.P, s.Seed, s.Offset + (ulong)first);
                TensorPrimitives.Multiply<T>(s.X.AsSpan(first, length), m, s.Y.AsSpan(first, length));
            }
        });
    }
}
