using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Gpu;

/// <summary>The shared backend suite on the first CUDA GPU; skipped without one unless TENSORGRAD_REQUIRE_GPU=1.</summary>
public sealed class CudaBackendTests : BackendSuite
{
    public CudaBackendTests() => GpuDevices.RequireOrSkip(Device);

    protected override Device Device => Device.Cuda();
}
