using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Gpu;

/// <summary>The shared backend suite on the first OpenCL 2.0+ device; skipped without one unless TENSORGRAD_REQUIRE_GPU=1.</summary>
public sealed class OpenCLBackendTests : BackendSuite
{
    public OpenCLBackendTests() => GpuDevices.RequireOrSkip(Device);

    protected override Device Device => Device.OpenCL();
}
