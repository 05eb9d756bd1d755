using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Minimal;

/// <summary>
/// The shared backend suite on <see cref="MinimalBackend"/>: a backend that implements only the
/// primitives passes every test through <see cref="Backends.BackendBase"/>'s composite defaults.
/// </summary>
public sealed class MinimalBackendTests : BackendSuite
{
    protected override Device Device => MinimalProvider.Device;

    protected override string? LaunchesAllocate => "the composite defaults make a Shape (a small array) per elementwise call";
}
