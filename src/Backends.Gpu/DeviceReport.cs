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
public sealed record DeviceReport(Device Device, string Name, long MemoryBytes, int Multiprocessors, int MaxThreadsPerGroup, int WarpSize, string Capabilities, string? Reason)
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
                var device = Parse(kind, i);
                var ilgpu = devices[i];
                reports.Add(new DeviceReport(
                    device, ilgpu.Name, ilgpu.MemorySize, ilgpu.NumMultiprocessors, ilgpu.MaxNumThreadsPerGroup, ilgpu.WarpSize,
                    Describe(ilgpu), BackendRegistry.UnavailableReason(device)));
            }
        }

        return reports;
    }

    private static Device Parse(DeviceKind kind, int index) => kind switch
    {
        DeviceKind.Cuda => Device.Cuda(index),
        DeviceKind.OpenCL => Device.OpenCL(index),
        _ => Device.IlgpuCpu(index),
    };

    private static string Describe(ILGPU.Runtime.Device device) => device switch
    {
        CudaDevice cuda => $"{cuda.Architecture}, driver {cuda.DriverVersion}, instruction set {cuda.InstructionSet}",
        CLDevice cl => $"OpenCL {cl.DeviceVersion}, OpenCL C {cl.CVersion.Major}.{cl.CVersion.Minor}, float64 {YesNo(cl.Capabilities.Float64)}, generic address space {YesNo(cl.Capabilities.GenericAddressSpace)}",
        _ => $"{device.AcceleratorType} accelerator (GPU kernels run on CPU threads; for tests)",
    };

    private static string YesNo(bool value) => value ? "yes" : "no";
}
