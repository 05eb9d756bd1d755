using System.Collections.Concurrent;
using System.Reflection;

namespace TensorGrad.Backends;

/// <summary>Creates the backend for devices of one kind; a backend assembly names its provider with <see cref="BackendProviderAttribute"/>.</summary>
public interface IBackendProvider
{
    /// <summary>The device kinds this provider serves (lowercase names, e.g. <c>cuda</c>), in the order <see cref="Device.Best"/> prefers them.</summary>
    IReadOnlyList<string> Kinds { get; }

    /// <summary>Creates the backend for <paramref name="device"/>, or returns null and a reason when it cannot run here.</summary>
    IBackend? TryCreate(Device device, out string reason);

    /// <summary>How many devices of <paramref name="kind"/> this machine has, usable or not (indices 0 to count − 1).</summary>
    int DeviceCount(string kind) => 1;

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
/// Maps devices to backends. Core references no backend: the first time it needs one it finds
/// the providers that backend assemblies name with <see cref="BackendProviderAttribute"/>, in the
/// assemblies already loaded, in every <c>TensorGrad.Backends.*.dll</c> beside the application
/// (deployed there by a project or package reference) and in TensorGrad's own backend assemblies
/// wherever the runtime finds them, and asks the provider of a device's kind.
/// A new backend is therefore one assembly; Core needs no change. Backends are created once per
/// device and cached.
/// </summary>
public static class BackendRegistry
{
    private static readonly ConcurrentDictionary<Device, Lazy<(IBackend? Backend, string Reason)>> Backends = new();
    private static readonly ConcurrentDictionary<string, IBackendProvider> Providers = new(StringComparer.Ordinal);
    private static readonly List<string> DeclaredKinds = [];
    private static readonly Lock LoadLock = new();
    private static bool discovered;

    /// <summary>Every device kind a provider declares, in discovery order (each provider's own order within it).</summary>
    public static IReadOnlyList<string> Kinds
    {
        get
        {
            Discover();
            lock (LoadLock)
            {
                return [.. DeclaredKinds];
            }
        }
    }

    /// <summary>Registers a provider explicitly (for a backend that is not deployed as <c>TensorGrad.Backends.*.dll</c>).</summary>
    public static void Register(IBackendProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (LoadLock)
        {
            Add(provider);
        }
    }

    /// <summary>True when <paramref name="device"/> has a working backend on this machine.</summary>
    public static bool IsAvailable(Device device) => Resolve(device).Backend is not null;

    /// <summary>Why <paramref name="device"/> has no working backend here, or null when it has one.</summary>
    public static string? UnavailableReason(Device device) => Resolve(device) is { Backend: null } failed ? failed.Reason : null;

    /// <summary>The devices of <paramref name="kind"/> on this machine, usable or not, in index order (none when no backend serves the kind).</summary>
    public static IReadOnlyList<Device> Devices(string kind)
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

    private static IBackendProvider? FindProvider(string kind, out string reason)
    {
        Discover();
        if (Providers.TryGetValue(kind, out var provider))
        {
            reason = "";
            return provider;
        }

        reason = DeviceKind.Assemblies.TryGetValue(kind, out string? assembly)
            ? $"the {assembly} assembly is not deployed beside the application; reference that project or package from your application."
            : $"no backend assembly declares device kind '{kind}' (TensorGrad looks for TensorGrad.Backends.*.dll beside the application; others register with BackendRegistry.Register).";
        return null;
    }

    /// <summary>Registers the providers of every loaded assembly and every <c>TensorGrad.Backends.*.dll</c> beside the application, once.</summary>
    private static void Discover()
    {
        lock (LoadLock)
        {
            if (discovered)
            {
                return;
            }

            discovered = true;
            // TensorGrad's own backends are also asked for by name: a single-file application
            // bundles its assemblies, so no file lies beside it.
            var assemblies = AppDomain.CurrentDomain.GetAssemblies().ToList();
            var names = Directory.EnumerateFiles(AppContext.BaseDirectory, "TensorGrad.Backends.*.dll")
                .Select(Path.GetFileNameWithoutExtension)
                .Concat(DeviceKind.Assemblies.Values)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            foreach (string? file in names)
            {
                var name = new AssemblyName(file!);
                if (assemblies.All(a => a.GetName().Name != name.Name))
                {
                    try
                    {
                        assemblies.Add(Assembly.Load(name));
                    }
                    catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                    {
                        // Not loadable here (another runtime or architecture): its kinds stay unknown.
                    }
                }
            }

            foreach (var assembly in assemblies.OrderBy(a => a.GetName().Name, StringComparer.Ordinal))
            {
                foreach (var attribute in assembly.GetCustomAttributes<BackendProviderAttribute>())
                {
                    Add((IBackendProvider)Activator.CreateInstance(attribute.ProviderType)!);
                }
            }
        }
    }

    /// <summary>Maps each kind <paramref name="provider"/> declares to it; the caller holds the lock.</summary>
    private static void Add(IBackendProvider provider)
    {
        foreach (string kind in provider.Kinds)
        {
            if (!DeviceKind.IsValidName(kind))
            {
                throw new ArgumentException($"{provider.GetType().Name} declares device kind '{kind}', which is not a lowercase name such as cuda or opencl.", nameof(provider));
            }

            Providers[kind] = provider;
            if (!DeclaredKinds.Contains(kind))
            {
                DeclaredKinds.Add(kind);
            }
        }
    }
}
