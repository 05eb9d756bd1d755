using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Gpu;

/// <summary>The shared backend suite on ILGPU's CPU accelerator: the GPU kernels, run on the CPU (always present).</summary>
public sealed class IlgpuCpuBackendTests : BackendSuite
{
    protected override Device Device => Device.IlgpuCpu();

    protected override string? LaunchesAllocate => "ILGPU's CPU accelerator allocates about 100 bytes per kernel launch in its own dispatcher";
}
