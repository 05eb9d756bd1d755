using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// Kernels of one accelerator, each compiled and loaded once (keyed by the kernel method with its
/// type arguments) and launched on the accelerator's default stream.
/// </summary>
internal sealed class KernelCache(Accelerator accelerator)
{
    private readonly ConcurrentDictionary<MethodInfo, Delegate> loaded = new();

    /// <summary>Number of kernels loaded so far.</summary>
    public int Count => loaded.Count;

    public Action<KernelConfig, T1, T2> Get<T1, T2>(Action<T1, T2> kernel)
        where T1 : struct
        where T2 : struct =>
        (Action<KernelConfig, T1, T2>)loaded.GetOrAdd(kernel.Method, static (_, s) => s.Accelerator.LoadStreamKernel(s.Kernel), (Accelerator: accelerator, Kernel: kernel));

    public Action<KernelConfig, T1, T2, T3> Get<T1, T2, T3>(Action<T1, T2, T3> kernel)
        where T1 : struct
        where T2 : struct
        where T3 : struct =>
        (Action<KernelConfig, T1, T2, T3>)loaded.GetOrAdd(kernel.Method, static (_, s) => s.Accelerator.LoadStreamKernel(s.Kernel), (Accelerator: accelerator, Kernel: kernel));

    public Action<KernelConfig, T1, T2, T3, T4> Get<T1, T2, T3, T4>(Action<T1, T2, T3, T4> kernel)
        where T1 : struct
        where T2 : struct
        where T3 : struct
        where T4 : struct =>
        (Action<KernelConfig, T1, T2, T3, T4>)loaded.GetOrAdd(kernel.Method, static (_, s) => s.Accelerator.LoadStreamKernel(s.Kernel), (Accelerator: accelerator, Kernel: kernel));

    public Action<KernelConfig, T1, T2, T3, T4, T5> Get<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> kernel)
        where T1 : struct
        where T2 : struct
        where T3 : struct
        where T4 : struct
        where T5 : struct =>
        (Action<KernelConfig, T1, T2, T3, T4, T5>)loaded.GetOrAdd(kernel.Method, static (_, s) => s.Accelerator.LoadStreamKernel(s.Kernel), (Accelerator: accelerator, Kernel: kernel));

    public Action<KernelConfig, T1, T2, T3, T4, T5, T6> Get<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> kernel)
        where T1 : struct
        where T2 : struct
        where T3 : struct
        where T4 : struct
        where T5 : struct
        where T6 : struct =>
        (Action<KernelConfig, T1, T2, T3, T4, T5, T6>)loaded.GetOrAdd(kernel.Method, static (_, s) => s.Accelerator.LoadStreamKernel(s.Kernel), (Accelerator: accelerator, Kernel: kernel));
}
