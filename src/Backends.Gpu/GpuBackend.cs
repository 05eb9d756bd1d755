using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// The backend of one ILGPU accelerator (a CUDA GPU, an OpenCL device, or ILGPU's CPU
/// accelerator): pooled device memory, kernels compiled once and launched asynchronously on the
/// accelerator's stream. The host waits only where it reads results (downloads, norms, label
/// checks). Float32 always; float64 where the device has it.
/// </summary>
public sealed partial class GpuBackend : BackendBase, IDisposable
{
    [ThreadStatic]
    private static GpuBackend? boundOnThread;

    private readonly DeviceMemoryPool pool;
    private readonly KernelCache kernels;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> invalidLabel;
    private readonly HostStaging staging;
    private readonly int groupSize;
    private readonly int maxGroups;

    internal GpuBackend(Device device, Accelerator accelerator)
    {
        Device = device;
        Accelerator = accelerator;
        pool = new DeviceMemoryPool(this, accelerator);
        kernels = new KernelCache(accelerator);
        invalidLabel = accelerator.Allocate1D<int>(1);
        staging = new HostStaging(accelerator);
        groupSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(Kernels.GroupLimits.MaxThreads, accelerator.MaxNumThreadsPerGroup) + 1) / 2;
        maxGroups = accelerator.AcceleratorType == AcceleratorType.CPU ? Math.Max(1, accelerator.NumMultiprocessors) : accelerator.NumMultiprocessors * 8;
        boundOnThread = this;
    }

    /// <inheritdoc />
    public override Device Device { get; }

    /// <summary>The ILGPU accelerator this backend runs on.</summary>
    internal Accelerator Accelerator { get; }

    /// <summary>Device memory blocks taken from the accelerator so far; a steady training step adds none.</summary>
    internal long DeviceAllocations => pool.DeviceAllocations;

    /// <summary>Kernels compiled and loaded so far.</summary>
    internal int LoadedKernels => kernels.Count;

    private AcceleratorStream Stream => Accelerator.DefaultStream;

    /// <inheritdoc />
    public override bool Supports(DType dtype) =>
        dtype == DType.Float32 || (dtype == DType.Float64 && Accelerator.Capabilities is not CLCapabilityContext { Float64: false });

    /// <inheritdoc />
    public override DeviceBuffer Allocate(long length, DType dtype)
    {
        if (length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Allocate: {length} elements exceed the GPU backend's limit of {int.MaxValue} per tensor on {Device}.");
        }

        if (!Supports(dtype))
        {
            throw new NotSupportedException($"Allocate: {Device} ({Accelerator.Name}) has no {dtype} support.");
        }

        Bind();
        return dtype == DType.Float64 ? pool.Rent<double>(length, dtype) : pool.Rent<float>(length, dtype);
    }

    /// <inheritdoc />
    public override void Release(DeviceBuffer buffer)
    {
        switch (buffer)
        {
            case GpuBuffer<float> f when f.Owner == this: pool.Return(f); break;
            case GpuBuffer<double> d when d.Owner == this: pool.Return(d); break;
            default: throw Foreign(buffer);
        }
    }

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, DeviceBuffer destination) => Upload<float>(source, destination);

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<double> source, DeviceBuffer destination) => Upload<double>(source, destination);

    /// <inheritdoc />
    public override void Download(DeviceBuffer source, Span<float> destination) => Download<float>(source, destination);

    /// <inheritdoc />
    public override void Download(DeviceBuffer source, Span<double> destination) => Download<double>(source, destination);

    /// <inheritdoc />
    public override void Copy(DeviceBuffer source, DeviceBuffer destination)
    {
        Bind();
        switch (source, destination)
        {
            case (GpuBuffer<float> s, GpuBuffer<float> d): s.View.CopyTo(Stream, d.View); break;
            case (GpuBuffer<double> s, GpuBuffer<double> d): s.View.CopyTo(Stream, d.View); break;
            case (GpuBuffer<float> s, GpuBuffer<double> d) when d.Length > 0:
                kernels.Get<ArrayView<float>, ArrayView<double>>(Kernels.ElementwiseKernels.ToDouble)(Elementwise(d.Length), s.View, d.View);
                break;
            case (GpuBuffer<double> s, GpuBuffer<float> d) when d.Length > 0:
                kernels.Get<ArrayView<double>, ArrayView<float>>(Kernels.ElementwiseKernels.ToSingle)(Elementwise(d.Length), s.View, d.View);
                break;
            case (GpuBuffer<float> or GpuBuffer<double>, GpuBuffer<float> or GpuBuffer<double>): break;
            default: throw Foreign(source is GpuBuffer<float> or GpuBuffer<double> ? destination : source);
        }
    }

    /// <inheritdoc />
    public override void Fill(DeviceBuffer destination, double value)
    {
        Bind();
        if (destination.DType == DType.Float32)
        {
            Fill(F(destination), (float)value);
        }
        else
        {
            Fill(D(destination), value);
        }
    }

    /// <inheritdoc />
    public override void Synchronize()
    {
        Bind();
        Stream.Synchronize();
    }

    /// <summary>Frees the pooled device memory and the accelerator.</summary>
    public void Dispose()
    {
        pool.Dispose();
        invalidLabel.Dispose();
        staging.Dispose();
        Accelerator.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Device} ({Accelerator.Name})";

    private void Fill<T>(GpuBuffer<T> y, T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length > 0)
        {
            kernels.Get<ArrayView<T>, T>(Kernels.ElementwiseKernels.Fill)(Elementwise(y.Length), y.View, value);
        }
    }

    /// <summary>Copies host values into a buffer, converting them on the host when the dtypes differ.</summary>
    private void Upload<THost>(ReadOnlySpan<THost> source, DeviceBuffer destination)
        where THost : unmanaged, IFloatingPointIeee754<THost>
    {
        Bind();
        if (destination.DType == DType.Float32)
        {
            Upload(source, F(destination));
        }
        else
        {
            Upload(source, D(destination));
        }
    }

    private void Upload<THost, TDevice>(ReadOnlySpan<THost> source, GpuBuffer<TDevice> destination)
        where THost : unmanaged, IFloatingPointIeee754<THost>
        where TDevice : unmanaged, IFloatingPointIeee754<TDevice>
    {
        if (destination is GpuBuffer<THost> same)
        {
            staging.Upload(source, same.View, Stream);
            return;
        }

        var converted = new TDevice[source.Length];
        for (int i = 0; i < source.Length; i++)
        {
            converted[i] = TDevice.CreateTruncating(source[i]);
        }

        destination.View.CopyFromCPU(Stream, converted);
    }

    /// <summary>Copies a buffer to host memory, converting on the host when the dtypes differ; waits for pending work.</summary>
    private void Download<THost>(DeviceBuffer source, Span<THost> destination)
        where THost : unmanaged, IFloatingPointIeee754<THost>
    {
        Bind();
        if (source.DType == DType.Float32)
        {
            Download(F(source), destination);
        }
        else
        {
            Download(D(source), destination);
        }
    }

    private void Download<TDevice, THost>(GpuBuffer<TDevice> source, Span<THost> destination)
        where TDevice : unmanaged, IFloatingPointIeee754<TDevice>
        where THost : unmanaged, IFloatingPointIeee754<THost>
    {
        if (source is GpuBuffer<THost> same)
        {
            staging.Download(same.View, Stream, destination);
            return;
        }

        var values = new TDevice[destination.Length];
        staging.Download<TDevice>(source.View, Stream, values);
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = THost.CreateTruncating(values[i]);
        }
    }

    /// <summary>Makes this accelerator current on the calling thread (CUDA contexts are per thread); a no-op when it already is.</summary>
    private void Bind()
    {
        if (boundOnThread != this)
        {
            Accelerator.Bind();
            boundOnThread = this;
        }
    }

    /// <summary>A grid-stride launch over <paramref name="n"/> elements: enough groups to cover them, at most a few per multiprocessor.</summary>
    private KernelConfig Elementwise(long n) =>
        new((int)Math.Clamp((n + groupSize - 1) / groupSize, 1, maxGroups), groupSize);

    /// <summary>A launch of <paramref name="groups"/> groups of <paramref name="threads"/> threads (kernels that share memory allocate it statically).</summary>
    private static KernelConfig Groups(int groups, int threads) => new(groups, threads);

    private GpuBuffer<float> F(DeviceBuffer buffer) => buffer as GpuBuffer<float> is { } f && f.Owner == this ? f : throw Foreign(buffer);

    private GpuBuffer<double> D(DeviceBuffer buffer) => buffer as GpuBuffer<double> is { } d && d.Owner == this ? d : throw Foreign(buffer);

    private ArgumentException Foreign(DeviceBuffer buffer) =>
        new($"The {Device} backend was given a {buffer.GetType().Name} ({buffer.DType}, {buffer.Length} elements) that it did not allocate; move tensors with To({Device}).");
}
