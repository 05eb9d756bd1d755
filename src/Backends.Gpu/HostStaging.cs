using System.Numerics;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// Pinned host arrays through which transfers of up to <see cref="MaxBytes"/> pass, so a steady
/// step's downloads (a loss's <c>Item()</c>, the cross-entropy label check) and uploads allocate
/// nothing. ILGPU's span copies wrap the host memory in a new buffer object on every call, and
/// its OpenCL copies between host and device move the whole host buffer, so each wrapper must
/// be exactly the transfer's length: a stage keeps one wrapper per length it has seen (at most
/// <see cref="MaxLengths"/>) over one pinned array. Other transfers go through ILGPU directly.
/// Transfers through the stages take a lock, so threads sharing a backend may transfer at once.
/// </summary>
internal sealed class HostStaging(Accelerator accelerator) : IDisposable
{
    /// <summary>Transfers larger than this skip the stage (ILGPU's small wrapper is negligible next to them).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Distinct transfer lengths a stage keeps wrappers for.</summary>
    public const int MaxLengths = 64;

    // One transfer at a time: the stages' arrays and wrappers are shared by every thread using the backend.
    private readonly Lock gate = new();
    private readonly Stage<float> floats = new(accelerator);
    private readonly Stage<double> doubles = new(accelerator);
    private readonly Stage<int> ints = new(accelerator);

    /// <summary>The first element of <paramref name="source"/>, waiting for the stream.</summary>
    public T First<T>(ArrayView<T> source, AcceleratorStream stream)
        where T : unmanaged
    {
        lock (gate)
        {
            return Read(source.SubView(0, 1), stream)[0];
        }
    }

    /// <summary>The sum of <paramref name="source"/>'s elements in double, added on the host, waiting for the stream.</summary>
    public double Sum<T>(ArrayView<T> source, AcceleratorStream stream)
        where T : unmanaged, INumberBase<T>
    {
        lock (gate)
        {
            double total = 0;
            foreach (var value in Read(source, stream))
            {
                total += double.CreateTruncating(value);
            }

            return total;
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (of its length), waiting for the stream.</summary>
    public void Download<T>(ArrayView<T> source, AcceleratorStream stream, Span<T> destination)
        where T : unmanaged
    {
        lock (gate)
        {
            if (For<T>().TryRead(source, stream, out var values))
            {
                values.CopyTo(destination);
                return;
            }
        }

        source.CopyToCPU(stream, destination);
        stream.Synchronize();
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (of its length), waiting for the stream.</summary>
    public void Upload<T>(ReadOnlySpan<T> source, ArrayView<T> destination, AcceleratorStream stream)
        where T : unmanaged
    {
        lock (gate)
        {
            if (For<T>().TryWrite(source, destination, stream))
            {
                return;
            }
        }

        destination.CopyFromCPU(stream, source);
        stream.Synchronize();
    }

    /// <summary>Host memory of <paramref name="source"/> (through the stage when it fits); call under the lock, and use before the next transfer.</summary>
    private ReadOnlySpan<T> Read<T>(ArrayView<T> source, AcceleratorStream stream)
        where T : unmanaged
    {
        if (For<T>().TryRead(source, stream, out var values))
        {
            return values;
        }

        var copy = new T[source.IntLength];
        source.CopyToCPU(stream, copy);
        stream.Synchronize();
        return copy;
    }

    /// <summary>Frees the host buffers.</summary>
    public void Dispose()
    {
        floats.Dispose();
        doubles.Dispose();
        ints.Dispose();
    }

    private Stage<T> For<T>()
        where T : unmanaged =>
        typeof(T) == typeof(float) ? (Stage<T>)(object)floats
        : typeof(T) == typeof(double) ? (Stage<T>)(object)doubles
        : typeof(T) == typeof(int) ? (Stage<T>)(object)ints
        : throw new NotSupportedException($"No host staging for {typeof(T).Name}.");

    /// <summary>One element type's pinned array and the exact-length ILGPU wrappers over its start.</summary>
    private sealed class Stage<T>(Accelerator accelerator) : IDisposable
        where T : unmanaged
    {
        private readonly Dictionary<int, (MemoryBuffer Buffer, ArrayView<T> View)> wrappers = [];
        private T[] host = [];

        public bool TryRead(ArrayView<T> source, AcceleratorStream stream, out ReadOnlySpan<T> values)
        {
            int length = source.IntLength;
            values = [];
            if (length == 0)
            {
                return true;
            }

            if (!TryWrap(length, out var view))
            {
                return false;
            }

            source.CopyTo(stream, view);
            stream.Synchronize();
            values = host.AsSpan(0, length);
            return true;
        }

        public bool TryWrite(ReadOnlySpan<T> source, ArrayView<T> destination, AcceleratorStream stream)
        {
            if (source.IsEmpty)
            {
                return true;
            }

            if (!TryWrap(source.Length, out var view))
            {
                return false;
            }

            source.CopyTo(host);
            destination.CopyFrom(stream, view);
            stream.Synchronize();
            return true;
        }

        public void Dispose()
        {
            foreach (var (buffer, _) in wrappers.Values)
            {
                buffer.Dispose();
            }

            wrappers.Clear();
        }

        /// <summary>The wrapper of the first <paramref name="length"/> elements of the pinned array, made on first use of that length.</summary>
        private bool TryWrap(int length, out ArrayView<T> view)
        {
            if (wrappers.TryGetValue(length, out var known))
            {
                view = known.View;
                return true;
            }

            view = default;
            if (length * (long)Unsafe.SizeOf<T>() > MaxBytes || wrappers.Count == MaxLengths)
            {
                return false;
            }

            if (host.Length < length)
            {
                // Wrappers point into the old array: replace them all with the array.
                Dispose();
                host = GC.AllocateArray<T>((int)BitOperations.RoundUpToPowerOf2((uint)length), pinned: true);
            }

            var buffer = CPUMemoryBuffer.Create(accelerator, ref host[0], length);
            view = buffer.AsArrayView<T>(0, length);
            wrappers.Add(length, (buffer, view));
            return true;
        }
    }
}
