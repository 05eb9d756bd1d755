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
/// Maps devices to backends. Core references no backend: it finds the providers that backend
/// assemblies name with <see cref="BackendProviderAttribute"/> and asks the provider of a
/// device's kind. One of TensorGrad's own kinds loads only its assembly; listing the kinds, or
/// an unknown kind, examines every loaded assembly, every <c>TensorGrad.Backends.*.dll</c>
/// beside the application (deployed there by a project or package reference) and TensorGrad's
/// own backend assemblies wherever the runtime finds them.
/// A new backend is therefore one assembly; Core needs no change. Backends are created once per
/// device and cached.
/// </summary>
public static class BackendRegistry
{
    private static readonly ConcurrentDictionary<Device, Lazy<(IBackend? Backend, string Reason)>> Backends = new();
    private static readonly ConcurrentDictionary<string, IBackendProvider> Providers = new(StringComparer.Ordinal);
    private static readonly List<string> DeclaredKinds = [];
    private static readonly HashSet<string> Examined = new(StringComparer.Ordinal);
    private static readonly Lock LoadLock = new();
    private static bool discovered;

    /// <summary>Every device kind a provider declares, in discovery order (each provider's own order within it).</summary>
    public static IReadOnlyList<string> Kinds
    {
        get
        {
            lock (LoadLock)
            {
                Discover();
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
        if (!Providers.TryGetValue(kind, out var provider))
        {
            lock (LoadLock)
            {
                // One of TensorGrad's own kinds needs only its assembly; any other kind, every one there is.
                if (DeviceKind.Assemblies.TryGetValue(kind, out string? own))
                {
                    Examine(own);
                }

                if (!Providers.ContainsKey(kind))
                {
                    Discover();
                }
            }

            Providers.TryGetValue(kind, out provider);
        }

        reason = provider is not null ? ""
            : DeviceKind.Assemblies.TryGetValue(kind, out string? assembly)
            ? $"the {assembly} assembly is not deployed beside the application; reference that project or package from your application."
            : $"no backend assembly declares device kind '{kind}' (TensorGrad looks for TensorGrad.Backends.*.dll beside the application; others register with BackendRegistry.Register).";
        return provider;
    }

    /// <summary>
    /// Examines, once, every loaded assembly, every <c>TensorGrad.Backends.*.dll</c> beside the
    /// application and TensorGrad's own backend assemblies by name (a single-file application
    /// bundles its assemblies, so no file lies beside it); the caller holds the lock.
    /// </summary>
    private static void Discover()
    {
        if (discovered)
        {
            return;
        }

        discovered = true;
        var names = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "TensorGrad.Backends.*.dll").Select(Path.GetFileNameWithoutExtension))
            .Concat(DeviceKind.Assemblies.Values)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (string name in names)
        {
            Examine(name);
        }
    }

    /// <summary>Loads the assembly named <paramref name="name"/> if needed and registers the providers it names, once; the caller holds the lock.</summary>
    private static void Examine(string name)
    {
        if (!Examined.Add(name))
        {
            return;
        }

        var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
        try
        {
            assembly ??= Assembly.Load(new AssemblyName(name));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return; // not deployed, or not loadable here (another runtime or architecture): its kinds stay unknown
        }

        foreach (var attribute in assembly.GetCustomAttributes<BackendProviderAttribute>())
        {
            Add((IBackendProvider)Activator.CreateInstance(attribute.ProviderType)!);
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
