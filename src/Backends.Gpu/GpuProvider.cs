using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;
using TensorGrad.Backends;
using TensorGrad.Backends.Gpu;

[assembly: BackendProvider(typeof(GpuProvider))]

namespace TensorGrad.Backends.Gpu;

/// <summary>Creates <see cref="GpuBackend"/>s for CUDA, OpenCL and ILGPU CPU-accelerator devices, one per device, on first use.</summary>
public sealed class GpuProvider : IBackendProvider
{
    /// <inheritdoc />
    public IReadOnlyList<string> Kinds { get; } = [DeviceKind.Cuda, DeviceKind.OpenCL, DeviceKind.IlgpuCpu];

    /// <inheritdoc />
    public IBackend? TryCreate(Device device, out string reason)
    {
        ArgumentNullException.ThrowIfNull(device);
        IReadOnlyList<ILGPU.Runtime.Device> devices;
        try
        {
            devices = IlgpuRuntime.DevicesOf(device.Kind);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            reason = $"ILGPU could not start: {e.GetType().Name}: {e.Message}";
            return null;
        }

        if (device.Index >= devices.Count)
        {
            reason = devices.Count == 0
                ? $"ILGPU finds no {Describe(device.Kind)} on this machine."
                : $"ILGPU finds {devices.Count} {Describe(device.Kind)}(s); there is no index {device.Index}.";
            return null;
        }

        if (Unsupported(devices[device.Index]) is { } missing)
        {
            reason = missing;
            return null;
        }

        try
        {
            var accelerator = devices[device.Index].CreateAccelerator(IlgpuRuntime.Context);
            var backend = new GpuBackend(device, accelerator);
            IlgpuRuntime.DisposeAtExit(backend);
            reason = "";
            return backend;
        }
        catch (Exception e) when (e is NotSupportedException or AcceleratorException or InvalidOperationException or ArgumentException)
        {
            reason = $"{devices[device.Index].Name} cannot run TensorGrad's kernels: {e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    /// <inheritdoc />
    public int DeviceCount(string kind) => IlgpuRuntime.DevicesOf(kind).Count;

    /// <inheritdoc />
    public string? PassOverReason(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var devices = IlgpuRuntime.DevicesOf(device.Kind);
        return device.Index < devices.Count ? PassOverReason(devices[device.Index]) : null;
    }

    /// <summary>Why <see cref="Device.Best"/> passes over <paramref name="device"/>, or null: an OpenCL device that is a CPU (PoCL, Intel's CPU runtime) runs TensorGrad's kernels many times slower than the CPU backend.</summary>
    internal static string? PassOverReason(ILGPU.Runtime.Device device) => device switch
    {
        CLDevice cl when IsHostCpu(cl) => $"{cl.Name} is an OpenCL device on the host CPU; TensorGrad's CPU backend is faster there.",
        ILGPU.Runtime.CPU.CPUDevice => "ILGPU's CPU accelerator emulates a GPU on the CPU, for tests.",
        _ => null,
    };

    /// <summary>True for an OpenCL device that is the host CPU (PoCL, Intel's CPU runtime).</summary>
    internal static bool IsHostCpu(CLDevice device) => device.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_CPU);

    /// <summary>Why ILGPU cannot compile TensorGrad's kernels for <paramref name="device"/>, or null when it can.</summary>
    internal static string? Unsupported(ILGPU.Runtime.Device device) =>
        device is CLDevice { Capabilities.GenericAddressSpace: false } cl
            ? $"{cl.Name} (OpenCL {cl.DeviceVersion}, OpenCL C {cl.CVersion.Major}.{cl.CVersion.Minor}) lacks the generic address space ILGPU's OpenCL backend needs (OpenCL 2.0+; PoCL has it for CPUs from 4.0)."
            : null;

    /// <summary>How a device kind is named in messages.</summary>
    internal static string Describe(string kind) => kind switch
    {
        DeviceKind.Cuda => "CUDA device",
        DeviceKind.OpenCL => "OpenCL device",
        DeviceKind.IlgpuCpu => "ILGPU CPU accelerator",
        _ => $"{kind} device",
    };
}
