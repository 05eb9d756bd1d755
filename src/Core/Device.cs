using System.Globalization;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>
/// The device kinds TensorGrad's own backends declare. A kind is a lowercase name that a backend
/// provider declares (<see cref="IBackendProvider.Kinds"/>), so a backend from another assembly
/// brings kinds of its own without any change here.
/// </summary>
public static class DeviceKind
{
    /// <summary>The host CPU (vectorized, multi-threaded backend; TensorGrad.Backends.Cpu).</summary>
    public const string Cpu = "cpu";

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend (TensorGrad.Backends.Gpu).</summary>
    public const string Cuda = "cuda";

    /// <summary>An OpenCL 2.0+ device through ILGPU (TensorGrad.Backends.Gpu).</summary>
    public const string OpenCL = "opencl";

    /// <summary>ILGPU's CPU accelerator: runs GPU kernels on the CPU, for tests and debugging (TensorGrad.Backends.Gpu).</summary>
    public const string IlgpuCpu = "ilgpu-cpu";

    /// <summary>The kinds above, with the assembly that serves each (for messages when it is missing).</summary>
    internal static IReadOnlyDictionary<string, string> Assemblies { get; } = new Dictionary<string, string>
    {
        [Cpu] = "TensorGrad.Backends.Cpu",
        [Cuda] = "TensorGrad.Backends.Gpu",
        [OpenCL] = "TensorGrad.Backends.Gpu",
        [IlgpuCpu] = "TensorGrad.Backends.Gpu",
    };

    /// <summary>True for a valid kind name: lowercase ASCII letters and digits, with inner hyphens.</summary>
    public static bool IsValidName(string? kind) =>
        !string.IsNullOrEmpty(kind) && kind[0] != '-' && kind[^1] != '-' && kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}

/// <summary>
/// A compute device: where a tensor's storage lives and its kernels run. Devices are values:
/// two <see cref="Device"/> objects with the same kind and index are equal.
/// </summary>
public sealed class Device : IEquatable<Device>
{
    /// <summary>Environment variable that overrides <see cref="Best"/>, e.g. <c>cpu</c>, <c>cuda:0</c>.</summary>
    public const string EnvironmentVariable = "TENSORGRAD_DEVICE";

    private Device(string kind, int index)
    {
        Kind = kind;
        Index = index;
    }

    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);

    /// <summary>The kind of device, a name its backend declares (see <see cref="DeviceKind"/>).</summary>
    public string Kind { get; }

    /// <summary>The index among devices of the same kind.</summary>
    public int Index { get; }

    /// <summary>The CUDA GPU with the given index.</summary>
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, CheckIndex(index));

    /// <summary>The OpenCL device with the given index.</summary>
    public static Device OpenCL(int index = 0) => new(DeviceKind.OpenCL, CheckIndex(index));

    /// <summary>ILGPU's CPU accelerator (GPU kernels emulated on the CPU; slow, for tests).</summary>
    public static Device IlgpuCpu(int index = 0) => new(DeviceKind.IlgpuCpu, CheckIndex(index));

    /// <summary>
    /// The best available device: the first usable device of the kinds the backends declare other
    /// than the CPU, in their declared order (TensorGrad's GPU backend: CUDA, then OpenCL), else
    /// the CPU. Devices whose backend advises against them are passed over (an
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

        foreach (string kind in BackendRegistry.Kinds.Where(k => k != DeviceKind.Cpu))
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
    public static Device Of(string kind, int index)
    {
        if (!DeviceKind.IsValidName(kind))
        {
            throw new ArgumentException($"Device kind '{kind}' is not a lowercase name such as cpu, cuda or opencl.", nameof(kind));
        }

        return kind == DeviceKind.Cpu ? Cpu : new(kind, CheckIndex(index));
    }

    /// <summary>
    /// Parses <c>kind[:index]</c> (case-insensitive): <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>,
    /// <c>opencl:0</c>, <c>ilgpu-cpu</c>, or a kind another backend assembly declares.
    /// </summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        int index = 0;
        if (parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out index)))
        {
            throw new FormatException($"Device '{text}' is not of the form kind[:index], e.g. cpu, cuda:0, opencl:1.");
        }

        string kind = parts[0];
        if (!DeviceKind.Assemblies.ContainsKey(kind) && !BackendRegistry.Kinds.Contains(kind))
        {
            var known = DeviceKind.Assemblies.Keys.Union(BackendRegistry.Kinds);
            throw new FormatException($"Unknown device kind '{kind}' in '{text}': use {string.Join(", ", known)}.");
        }

        return Of(kind, index);
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
    public bool Equals(Device? other) => other is not null && string.Equals(other.Kind, Kind, StringComparison.Ordinal) && other.Index == Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Device);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Kind), Index);

    /// <summary>True when both name the same device (or both are null).</summary>
    public static bool operator ==(Device? left, Device? right) => left?.Equals(right) ?? right is null;

    /// <summary>True when they name different devices.</summary>
    public static bool operator !=(Device? left, Device? right) => !(left == right);

    /// <summary>Formats as <c>cpu</c>, <c>cuda:0</c>, <c>opencl:1</c>, <c>ilgpu-cpu:0</c>.</summary>
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"{Kind}:{Index}";

    private static int CheckIndex(int index) =>
        index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(index), $"Device index must be ≥ 0, got {index}.");
}
