using TensorGrad.Backends;
using TensorGrad.Backends.Cpu;

[assembly: BackendProvider(typeof(CpuProvider))]

namespace TensorGrad.Backends.Cpu;

/// <summary>Registers the CPU backend with Core's <see cref="BackendRegistry"/>.</summary>
public sealed class CpuProvider : IBackendProvider
{
    /// <inheritdoc />
    public IReadOnlyList<string> Kinds { get; } = [DeviceKind.Cpu];

    /// <inheritdoc />
    public IBackend? TryCreate(Device device, out string reason)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Index != 0)
        {
            reason = $"there is one CPU device (cpu:0), not {device}.";
            return null;
        }

        reason = "";
        return CpuBackend.Instance;
    }
}
