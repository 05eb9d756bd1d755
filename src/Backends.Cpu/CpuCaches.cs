using System.Globalization;

namespace TensorGrad.Backends.Cpu;

/// <summary>
/// The data cache sizes of one core as the machine reports them (Linux: /sys), or common sizes
/// where it reports none. The GEMM derives its blocking from them; the peers benchmark sizes its
/// bandwidth measurements by them.
/// </summary>
public static class CpuCaches
{
    private static readonly long? ReportedL1 = Read(1), ReportedL2 = Read(2), ReportedL3 = Read(3);

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

    private static long? Read(int level)
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
