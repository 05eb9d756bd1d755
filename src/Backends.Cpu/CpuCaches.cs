using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace TensorGrad.Backends.Cpu;

/// <summary>
/// The data cache sizes of one core as the machine reports them (Linux: /sys; elsewhere, on x86,
/// the processor's CPUID cache descriptions), or common sizes where it reports none. The GEMM
/// derives its blocking from them; the peers benchmark sizes its bandwidth measurements by them.
/// </summary>
public static class CpuCaches
{
    private static readonly long? ReportedL1 = Read(1) ?? FromCpuid(1), ReportedL2 = Read(2) ?? FromCpuid(2), ReportedL3 = Read(3) ?? FromCpuid(3);

    /// <summary>Bytes of one core's L1 data cache.</summary>
    public static long L1 => ReportedL1 ?? (32L << 10);

    /// <summary>Bytes of one core's L2.</summary>
    public static long L2 => ReportedL2 ?? (1L << 20);

    /// <summary>Bytes of the L3 the cores share.</summary>
    public static long L3 => ReportedL3 ?? (32L << 20);

    /// <summary>Whether the sizes came from the machine (else some or all are the defaults).</summary>
    public static bool Reported => ReportedL1 is not null && ReportedL2 is not null && ReportedL3 is not null;

    /// <summary>Parses a size as /sys writes it ("48K", "1024K", "2M"); null when it is not one.</summary>
    public static long? ParseSize(string text)
    {
        text = text.Trim();
        long unit = text.EndsWith('K') ? 1L << 10 : text.EndsWith('M') ? 1L << 20 : 1;
        return long.TryParse(text.TrimEnd('K', 'M'), NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0 ? value * unit : null;
    }

    /// <summary>
    /// The size of the level-<paramref name="level"/> data (or unified) cache from CPUID's
    /// deterministic cache parameters (leaf 4 on Intel, 0x8000001D on AMD: ways × partitions ×
    /// line size × sets), or null off x86 or when the processor describes no such cache.
    /// </summary>
    internal static long? FromCpuid(int level)
    {
        if (!X86Base.IsSupported)
        {
            return null;
        }

        uint maxExtended = (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
        foreach (int leaf in new[] { 4, unchecked((int)0x8000001D) })
        {
            if ((leaf == 4 && X86Base.CpuId(0, 0).Eax < 4) || (leaf != 4 && maxExtended < 0x8000001D))
            {
                continue;
            }

            for (int index = 0; index < 16; index++)
            {
                var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, index);
                int type = eax & 0x1F;
                if (type == 0)
                {
                    break;
                }

                // Type 1 is data, 2 instruction, 3 unified.
                if (type != 2 && ((eax >> 5) & 0x7) == level)
                {
                    long ways = ((ebx >> 22) & 0x3FF) + 1, partitions = ((ebx >> 12) & 0x3FF) + 1, line = (ebx & 0xFFF) + 1;
                    return ways * partitions * line * ((uint)ecx + 1L);
                }
            }
        }

        return null;
    }

    /// <summary>The size of the level-<paramref name="level"/> data cache as Linux reports it, or null.</summary>
    internal static long? Read(int level)
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root))
        {
            return null;
        }

        foreach (string index in Directory.EnumerateDirectories(root, "index*"))
        {
            string levelFile = Path.Combine(index, "level"), typeFile = Path.Combine(index, "type"), sizeFile = Path.Combine(index, "size");
            if (File.Exists(levelFile) && File.Exists(sizeFile) && File.ReadAllText(levelFile).Trim() == level.ToString(CultureInfo.InvariantCulture)
                && (!File.Exists(typeFile) || File.ReadAllText(typeFile).Trim() != "Instruction"))
            {
                return ParseSize(File.ReadAllText(sizeFile));
            }
        }

        return null;
    }
}
