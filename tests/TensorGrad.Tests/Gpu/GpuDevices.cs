using TensorGrad.Backends;

namespace TensorGrad.Tests.Gpu;

/// <summary>
/// Decides whether a device-bound test runs: skipped with the reason when the device is absent,
/// failed instead when TENSORGRAD_REQUIRE_GPU is 1 (every GPU kind) or names the device's kind
/// (e.g. <c>cuda</c>, or <c>cuda,opencl</c>).
/// </summary>
public static class GpuDevices
{
    /// <summary>Environment variable that turns a missing GPU into a test failure.</summary>
    public const string RequireVariable = "TENSORGRAD_REQUIRE_GPU";

    /// <summary>Every ILGPU accelerator kind, by device name; tests over them skip those absent here.</summary>
    public static IReadOnlyList<string> AcceleratorNames { get; } = ["ilgpu-cpu", "cuda", "opencl"];

    /// <summary><see cref="AcceleratorNames"/> as theory data.</summary>
    public static TheoryData<string> Accelerators => new(AcceleratorNames);

    /// <summary>Returns when <paramref name="device"/> works here; otherwise skips or fails the calling test.</summary>
    public static void RequireOrSkip(Device device)
    {
        if (device.IsAvailable)
        {
            return;
        }

        string reason = BackendRegistry.UnavailableReason(device) ?? "";
        string required = Environment.GetEnvironmentVariable(RequireVariable) ?? "";
        if (required == "1" || required.Split(',', StringSplitOptions.TrimEntries).Contains(device.Kind.ToString(), StringComparer.OrdinalIgnoreCase))
        {
            Assert.Fail($"{RequireVariable}={required} but {device} is not available: {reason}");
        }

        Assert.Skip($"{device} is not available: {reason}");
    }
}
