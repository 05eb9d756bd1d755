using System.Globalization;

namespace TensorGrad.Peers;

/// <summary>The L2 (per core) and L3 (shared) sizes the machine reports in /sys, or common sizes where it reports none.</summary>
public static class CacheSizes
{
    /// <summary>Bytes of one core's L2.</summary>
    public static long L2 { get; } = Read(2) ?? (1L << 20);

    /// <summary>Bytes of the L3 the cores share.</summary>
    public static long L3 { get; } = Read(3) ?? (32L << 20);

    /// <summary>Whether the sizes came from /sys (else they are the defaults).</summary>
    public static bool Reported => Read(2) is not null && Read(3) is not null;

    private static long? Read(int level)
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root))
        {
            return null;
        }

        foreach (string index in Directory.EnumerateDirectories(root, "index*"))
        {
            string levelFile = Path.Combine(index, "level"), sizeFile = Path.Combine(index, "size");
            if (File.Exists(levelFile) && File.Exists(sizeFile) && File.ReadAllText(levelFile).Trim() == level.ToString(CultureInfo.InvariantCulture))
            {
                // "1024K", "32768K", "2M"
                string text = File.ReadAllText(sizeFile).Trim();
                long unit = text.EndsWith('K') ? 1L << 10 : text.EndsWith('M') ? 1L << 20 : 1;
                return long.TryParse(text.TrimEnd('K', 'M'), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value * unit : null;
            }
        }

        return null;
    }
}
