using System.Collections.Concurrent;
using System.Reflection;

namespace TensorGrad.Backends;

/// <summary>Creates the backend for devices of one kind; a backend assembly names its provider with <see cref="BackendProviderAttribute"/>.</summary>
public interface IBackendProvider
{
    /// <summary>The device kinds this provider serves.</summary>
    IReadOnlyList<DeviceKind> Kinds { get; }

    /// <summary>Creates the backend for <paramref name="device"/>, or returns null and a reason when it cannot run here.</summary>
    IBackend? TryCreate(Device device, out string reason);

    /// <summary>How many devices of <paramref name="kind"/> this machine has, usable or not (indices 0 to count − 1).</summary>
    int DeviceCount(DeviceKind kind) => 1;

    /// <summary>
    /// Why <see cref="Device.Best"/> should pass over <paramref name="device"/> even though it may
    /// work (e.g. an OpenCL device that is a CPU, slower than TensorGrad's CPU backend), or null.
    /// </summary>
    string? PassOverReason(Device device) => null;
}

/// <summary>Marks a backend assembly's <see cref="IBackendProvider"/> so Core can load it by name without referencing it.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class BackendProviderAttribute(Type providerType) : Attribute
{
    /// <summary>A type implementing <see cref="IBackendProvider"/> with a public parameterless constructor.</summary>
    public Type ProviderType { get; } = providerType;
}

/// <summary>
/// Maps devices to backends. Core references no backend: on first use of a device kind it loads
/// the backend assembly by name (it must be deployed beside the application, e.g. by a project or
/// package reference) and asks its provider. Backends are created once per device and cached.
/// </summary>
public static class BackendRegistry
{
    private static readonly ConcurrentDictionary<Device, Lazy<(IBackend? Backend, string Reason)>> Backends = new();
    private static readonly ConcurrentDictionary<DeviceKind, IBackendProvider> Providers = new();
    private static readonly Lock LoadLock = new();

    /// <summary>Registers a provider explicitly (for backends outside the known assemblies).</summary>
    public static void Register(IBackendProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        foreach (var kind in provider.Kinds)
        {
            Providers[kind] = provider;
        }
    }

    /// <summary>True when <paramref name="device"/> has a working backend on this machine.</summary>
    public static bool IsAvailable(Device device) => Resolve(device).Backend is not null;

    /// <summary>Why <paramref name="device"/> has no working backend here, or null when it has one.</summary>
    public static string? UnavailableReason(Device device) => Resolve(device) is { Backend: null } failed ? failed.Reason : null;

    /// <summary>The devices of <paramref name="kind"/> on this machine, usable or not, in index order (none when no backend serves the kind).</summary>
    public static IReadOnlyList<Device> Devices(DeviceKind kind)
    {
        int count = FindProvider(kind, out _)?.DeviceCount(kind) ?? 0;
        return [.. Enumerable.Range(0, count).Select(i => Device.Of(kind, i))];
    }

    /// <summary>Why <see cref="Device.Best"/> passes over <paramref name="device"/>, or null when it may choose it.</summary>
    public static string? PassOverReason(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return FindProvider(device.Kind, out _)?.PassOverReason(device);
    }

    /// <summary>The backend for <paramref name="device"/>, or an exception explaining why there is none.</summary>
    public static IBackend Get(Device device) =>
        Resolve(device).Backend ?? throw new InvalidOperationException($"Device {device} is not available: {Resolve(device).Reason}");

    private static (IBackend? Backend, string Reason) Resolve(Device device) =>
        Backends.GetOrAdd(device, d => new Lazy<(IBackend?, string)>(() => Create(d))).Value;

    private static (IBackend?, string) Create(Device device)
    {
        var provider = FindProvider(device.Kind, out string reason);
        if (provider is null)
        {
            return (null, reason);
        }

        var backend = provider.TryCreate(device, out reason);
        return (backend, reason);
    }

    private static IBackendProvider? FindProvider(DeviceKind kind, out string reason)
    {
        lock (LoadLock)
        {
            if (Providers.TryGetValue(kind, out var known))
            {
                reason = "";
                return known;
            }

            string assemblyName = kind == DeviceKind.Cpu ? "TensorGrad.Backends.Cpu" : "TensorGrad.Backends.Gpu";
            try
            {
                var assembly = Assembly.Load(assemblyName);
                foreach (var attribute in assembly.GetCustomAttributes<BackendProviderAttribute>())
                {
                    Register((IBackendProvider)Activator.CreateInstance(attribute.ProviderType)!);
                }
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                reason = $"the {assemblyName} assembly could not be loaded ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}); reference that project or package from your application.";
                return null;
            }

            if (Providers.TryGetValue(kind, out var loaded))
            {
                reason = "";
                return loaded;
            }

            reason = $"{assemblyName} does not provide a backend for {kind} devices.";
            return null;
        }
    }
}
