using System.Runtime.InteropServices;

namespace TensorGrad.Peers;

/// <summary>What the results header says about the machine.</summary>
public static class MachineInfo
{
    /// <summary>The CPU model, family and model number from /proc/cpuinfo, or the architecture where there is none.</summary>
    public static string CpuModel()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }

        // The first processor's block: "model name\t: AMD EPYC", "cpu family\t: 25", "model\t\t: 17", ...
        var fields = new Dictionary<string, string>();
        foreach (string line in File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }

        string name = fields.GetValueOrDefault("model name", RuntimeInformation.ProcessArchitecture.ToString());
        return fields.TryGetValue("cpu family", out string? family) && fields.TryGetValue("model", out string? model)
            ? $"{name} (family {family}, model {model})"
            : name;
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg, or <c>n/a</c>.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The operating system and .NET runtime.</summary>
    public static string Runtime() => $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
}
