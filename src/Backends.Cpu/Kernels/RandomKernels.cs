using System.Numerics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Kernels that draw from a Philox stream, split over cores in whole blocks of four words.</summary>
internal static class RandomKernels
{
    public static void DropoutMask<T>(T[] mask, double p, ulong seed, ulong offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long blocks = (mask.LongLength + 3) / 4;
        CpuParallel.For(blocks, CpuParallel.ElementGrain / 16, (Mask: mask, P: p, Seed: seed, Offset: offset), static (s, start, end) =>
        {
            int first = (int)(start * 4), last = (int)Math.Min(end * 4, s.Mask.LongLength);
            DropoutMasks.Fill(s.Mask.AsSpan(first, last - first), s.P, s.Seed, s.Offset + (ulong)first);
        });
    }
}
