using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Cpu;

/// <summary>The shared backend suite on the CPU backend.</summary>
public sealed class CpuBackendTests : BackendSuite
{
    protected override Device Device => Device.Cpu;
}
