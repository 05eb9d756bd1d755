namespace TensorGrad.Benchmarks;

/// <summary>The devices the benchmarks run on: those that can hold a tensor on this machine.</summary>
public static class BenchmarkDevices
{
    private static readonly string[] Candidates = ["cpu", "cuda", "opencl"];
    private static readonly Lazy<string[]> Found = new(Probe);

    /// <summary>
    /// Names of the usable devices (for <see cref="Device.Parse"/>): <c>cpu</c>, then <c>cuda</c>
    /// and <c>opencl</c> when a tiny tensor can be created on them.
    /// </summary>
    public static IReadOnlyList<string> Available() => Found.Value;

    /// <summary>The device named <paramref name="name"/>.</summary>
    public static Device Get(string name) => name == "cpu" ? Device.Cpu : Device.Parse(name);

    private static string[] Probe()
    {
        var available = new List<string>();
        foreach (string name in Candidates)
        {
            try
            {
                using var probe = Tensor.Zeros([1], Get(name));
                available.Add(name);
            }
            catch (Exception)
            {
                // Any failure (no backend assembly, no driver, no device) means: skip this device.
            }
        }

        return [.. available];
    }
}
