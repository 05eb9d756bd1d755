using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace TensorGrad.Backends.Gpu;

/// <summary>What the device doctor says of one accelerator ILGPU sees.</summary>
/// <param name="Device">The TensorGrad device that names it (e.g. <c>cuda:0</c>).</param>
/// <param name="Name">The accelerator's name.</param>
/// <param name="MemoryBytes">Device memory.</param>
/// <param name="Multiprocessors">Multiprocessors (compute units).</param>
/// <param name="MaxThreadsPerGroup">Largest thread group.</param>
/// <param name="WarpSize">Threads per warp (SIMD width of a compute unit).</param>
/// <param name="Capabilities">Architecture, versions and features, in words.</param>
/// <param name="Reason">Why TensorGrad cannot use it, or null when it can.</param>
/// <param name="PassOverReason">Why <see cref="TensorGrad.Device.Best"/> passes over it, or null when it may choose it.</param>
public sealed record DeviceReport(Device Device, string Name, long MemoryBytes, int Multiprocessors, int MaxThreadsPerGroup, int WarpSize, string Capabilities, string? Reason, string? PassOverReason)
{
    /// <summary>True when TensorGrad can run on it.</summary>
    public bool Usable => Reason is null;

    /// <summary>Every CUDA, OpenCL and ILGPU CPU accelerator ILGPU sees, usable or not, in device order.</summary>
    public static IReadOnlyList<DeviceReport> All()
    {
        var reports = new List<DeviceReport>();
        foreach (var kind in new[] { DeviceKind.Cuda, DeviceKind.OpenCL, DeviceKind.IlgpuCpu })
        {
            var devices = IlgpuRuntime.DevicesOf(kind);
            for (int i = 0; i < devices.Count; i++)
            {
                var device = Device.Of(kind, i);
                var ilgpu = devices[i];
                string? reason = BackendRegistry.UnavailableReason(device);
                reports.Add(new DeviceReport(
                    device, ilgpu.Name, ilgpu.MemorySize, ilgpu.NumMultiprocessors, ilgpu.MaxNumThreadsPerGroup, WarpSizeOf(device, ilgpu, reason),
                    Describe(ilgpu), reason, GpuProvider.PassOverReason(ilgpu)));
            }
        }

        return reports;
    }

    /// <summary>
    /// Threads that run in lock-step: the warp of a CUDA device, the sub-group size ILGPU finds
    /// for an OpenCL GPU, and the native float vector width (SIMD lanes) of an OpenCL CPU device,
    /// whose runtime maps work-items onto vector lanes (PoCL reports no sub-group size of its own).
    /// </summary>
    private static int WarpSizeOf(Device device, ILGPU.Runtime.Device ilgpu, string? reason) => ilgpu switch
    {
        CLDevice cl when GpuProvider.IsHostCpu(cl) => cl.GetDeviceInfo<int>(CLDeviceInfoType.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT),
        _ when reason is null && BackendRegistry.Get(device) is GpuBackend backend => backend.Accelerator.WarpSize,
        _ => ilgpu.WarpSize,
    };

    private static string Describe(ILGPU.Runtime.Device device) => device switch
    {
        CudaDevice cuda => $"{cuda.Architecture}, driver {cuda.DriverVersion}, instruction set {cuda.InstructionSet}",
        CLDevice cl => $"OpenCL {cl.DeviceVersion}, device type {TypeOf(cl)}, OpenCL C {cl.CVersion.Major}.{cl.CVersion.Minor}, float64 {YesNo(cl.Capabilities.Float64)}, generic address space {YesNo(cl.Capabilities.GenericAddressSpace)}",
        _ => $"{device.AcceleratorType} accelerator (GPU kernels run on CPU threads; for tests)",
    };

    private static string TypeOf(CLDevice device) =>
        GpuProvider.IsHostCpu(device) ? "CPU"
        : device.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU) ? "GPU"
        : device.DeviceType.ToString();

    private static string YesNo(bool value) => value ? "yes" : "no";
}
