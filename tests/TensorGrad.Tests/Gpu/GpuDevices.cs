using TensorGrad.Backends;

namespace TensorGrad.Tests.Gpu;

/// <summary>Decides whether a device-bound test runs: skipped with the reason when the device is absent, failed instead when TENSORGRAD_REQUIRE_GPU=1.</summary>
public static class GpuDevices
{
    /// <summary>Environment variable that turns a missing GPU into a test failure.</summary>
    public const string RequireVariable = "TENSORGRAD_REQUIRE_GPU";

    /// <summary>Returns when <paramref name="device"/> works here; otherwise skips or fails the calling test.</summary>
    public static void RequireOrSkip(Device device)
    {
        if (device.IsAvailable)
        {
            return;
        }

        string reason = BackendRegistry.UnavailableReason(device) ?? "";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but {device} is not available: {reason}");
        }

        Assert.Skip($"{device} is not available: {reason}");
    }
}
