using TensorGrad;
using TensorGrad.Backends;

namespace MnistExample;

/// <summary>Checks of command-line values that need the machine: devices and output folders.</summary>
internal static class Checks
{
    /// <summary>
    /// Resolves <paramref name="name"/> (cpu, cuda[:i], opencl[:i], auto) to a device that can run
    /// here. Returns null on success, else a message saying why it cannot be used.
    /// </summary>
    public static string? ChooseDevice(string name, out Device device)
    {
        device = Device.Cpu;
        try
        {
            device = name.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? Device.Best() : Device.Parse(name);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return $"--device: '{name}' is not a device; use cpu, cuda[:i], opencl[:i], ilgpu-cpu or auto.";
        }

        if (BackendRegistry.IsAvailable(device))
        {
            return null;
        }

        // The registry gives the reason only through the exception of Get.
        string reason = $"{device} is not available.";
        try
        {
            BackendRegistry.Get(device);
        }
        catch (InvalidOperationException e)
        {
            reason = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return $"--device {name}: {reason} Train on the CPU with --device cpu (the default).";
    }

    /// <summary>Creates the folder that will hold <paramref name="path"/>; returns why it cannot, or null.</summary>
    public static string? CreateFolderOf(string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }
}
