using System.Runtime.InteropServices;

namespace TensorGrad.Peers;

/// <summary>What the results header says about the machine.</summary>
public static class MachineInfo
{
    /// <summary>The CPU model from /proc/cpuinfo, or the architecture where there is none.</summary>
    public static string CpuModel()
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and >= 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg, or <c>n/a</c>.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The operating system and .NET runtime.</summary>
    public static string Runtime() => $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
}
