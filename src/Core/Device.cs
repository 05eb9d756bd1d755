using System.Globalization;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Kinds of compute device TensorGrad can run on.</summary>
public enum DeviceKind
{
    /// <summary>The host CPU (vectorized, multi-threaded backend).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,

    /// <summary>An OpenCL 2.0+ device through ILGPU.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator: runs GPU kernels on the CPU, for tests and debugging.</summary>
    IlgpuCpu,
}

/// <summary>
/// A compute device: where a tensor's storage lives and its kernels run. Devices are values:
/// two <see cref="Device"/> objects with the same kind and index are equal.
/// </summary>
public sealed class Device : IEquatable<Device>
{
    /// <summary>Environment variable that overrides <see cref="Best"/>, e.g. <c>cpu</c>, <c>cuda:0</c>.</summary>
    public const string EnvironmentVariable = "TENSORGRAD_DEVICE";

    private Device(DeviceKind kind, int index)
    {
        Kind = kind;
        Index = index;
    }

    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);

    /// <summary>The kind of device.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The index among devices of the same kind.</summary>
    public int Index { get; }

    /// <summary>The CUDA GPU with the given index.</summary>
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, CheckIndex(index));

    /// <summary>The OpenCL device with the given index.</summary>
    public static Device OpenCL(int index = 0) => new(DeviceKind.OpenCL, CheckIndex(index));

    /// <summary>ILGPU's CPU accelerator (GPU kernels emulated on the CPU; slow, for tests).</summary>
    public static Device IlgpuCpu(int index = 0) => new(DeviceKind.IlgpuCpu, CheckIndex(index));

    /// <summary>
    /// The best available device: the first usable CUDA device, then the first usable OpenCL
    /// device, then the CPU. Devices whose backend advises against them are passed over (an
    /// OpenCL device that is itself a CPU runs slower than TensorGrad's CPU backend; see
    /// <see cref="BackendRegistry.PassOverReason"/>). The environment variable
    /// <see cref="EnvironmentVariable"/> (<c>cpu</c>, <c>cuda[:i]</c>, <c>opencl[:i]</c>, <c>ilgpu-cpu</c>) overrides the choice.
    /// </summary>
    public static Device Best()
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(forced))
        {
            return Parse(forced);
        }

        foreach (var kind in new[] { DeviceKind.Cuda, DeviceKind.OpenCL })
        {
            foreach (var candidate in BackendRegistry.Devices(kind))
            {
                if (BackendRegistry.PassOverReason(candidate) is null && BackendRegistry.IsAvailable(candidate))
                {
                    return candidate;
                }
            }
        }

        return Cpu;
    }

    /// <summary>The device of <paramref name="kind"/> with the given index (the CPU has one, whatever the index, as in <see cref="Parse"/>).</summary>
    public static Device Of(DeviceKind kind, int index) => kind == DeviceKind.Cpu ? Cpu : new(kind, CheckIndex(index));

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>, <c>opencl:0</c> or <c>ilgpu-cpu</c> (case-insensitive).</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        int index = 0;
        if (parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out index)))
        {
            throw new FormatException($"Device '{text}' is not of the form kind[:index], e.g. cpu, cuda:0, opencl:1.");
        }

        return parts[0] switch
        {
            "cpu" => Cpu,
            "cuda" => Cuda(index),
            "opencl" => OpenCL(index),
            "ilgpu-cpu" => IlgpuCpu(index),
            _ => throw new FormatException($"Unknown device kind '{parts[0]}' in '{text}': use cpu, cuda, opencl or ilgpu-cpu."),
        };
    }

    /// <summary>True when this device has a working backend on this machine (loads it on first use).</summary>
    public bool IsAvailable => BackendRegistry.IsAvailable(this);

    /// <summary>
    /// Waits until all work launched on this device has finished. GPU kernels run asynchronously;
    /// reading a tensor waits by itself, so this is for timing and for handing buffers to other code.
    /// </summary>
    public void Synchronize() => Backend.Synchronize();

    /// <summary>The backend that runs this device's kernels (loaded on first use).</summary>
    internal IBackend Backend => BackendRegistry.Get(this);

    /// <inheritdoc />
    public bool Equals(Device? other) => other is not null && other.Kind == Kind && other.Index == Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Device);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Index);

    /// <summary>True when both name the same device (or both are null).</summary>
    public static bool operator ==(Device? left, Device? right) => left?.Equals(right) ?? right is null;

    /// <summary>True when they name different devices.</summary>
    public static bool operator !=(Device? left, Device? right) => !(left == right);

    /// <summary>Formats as <c>cpu</c>, <c>cuda:0</c>, <c>opencl:1</c>, <c>ilgpu-cpu:0</c>.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.IlgpuCpu => $"ilgpu-cpu:{Index}",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Index}",
    };

    private static int CheckIndex(int index) =>
        index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(index), $"Device index must be ≥ 0, got {index}.");
}
