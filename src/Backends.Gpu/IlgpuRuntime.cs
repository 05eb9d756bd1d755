using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// The process's one ILGPU <see cref="Context"/>, created on first use with CUDA, every OpenCL
/// device (usable or not, so the device doctor can say why) and ILGPU's CPU accelerator.
/// Accelerators are created by their backends and disposed with the context at process exit.
/// </summary>
internal static class IlgpuRuntime
{
    private static readonly Lazy<Context> Shared = new(Create);
    private static readonly List<IDisposable> Owned = [];
    private static readonly Lock OwnedLock = new();

    /// <summary>The shared context.</summary>
    public static Context Context => Shared.Value;

    /// <summary>The ILGPU devices of one TensorGrad device kind, in ILGPU's order (the device index).</summary>
    public static IReadOnlyList<ILGPU.Runtime.Device> DevicesOf(string kind)
    {
        AcceleratorType? type = kind switch
        {
            DeviceKind.Cuda => AcceleratorType.Cuda,
            DeviceKind.OpenCL => AcceleratorType.OpenCL,
            DeviceKind.IlgpuCpu => AcceleratorType.CPU,
            _ => null,
        };
        return [.. Context.Devices.Where(d => d.AcceleratorType == type)];
    }

    /// <summary>Disposes <paramref name="resource"/> before the context when the process exits.</summary>
    public static void DisposeAtExit(IDisposable resource)
    {
        lock (OwnedLock)
        {
            Owned.Add(resource);
        }
    }

    private static Context Create()
    {
        var context = Context.Create(builder => builder
            .Cuda()
            .OpenCL(_ => true)
            .CPU(new CPUDevice(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 2, numMultiprocessors: 1))
            .EnableAlgorithms()
            .EnableGroupBarrier());
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (OwnedLock)
            {
                foreach (var resource in Enumerable.Reverse(Owned))
                {
                    resource.Dispose();
                }

                Owned.Clear();
            }

            context.Dispose();
        };
        return context;
    }
}
