using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TensorGrad.IO;

/// <summary>
/// Tensor elements as safetensors stores them: little-endian, row-major, packed. Copies go
/// through host arrays in chunks of at most 1 GiB, so tensors over 2 GiB of bytes work too.
/// </summary>
internal static class TensorBytes
{
    private const int ChunkBytes = 1 << 30;

    /// <summary>Writes the elements of <paramref name="tensor"/> (Float32 or Float64) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor tensor) => Bytes(tensor, stream.Write);

    /// <summary>Reads the tensor described by <paramref name="entry"/>, whose data starts at byte <paramref name="offset"/> of the file, onto <paramref name="device"/>.</summary>
    public static Tensor Read(SafeFileHandle file, string path, long offset, SafeTensorsEntry entry, Device device)
    {
        int count = checked((int)entry.Shape.Size);
        return entry.DType switch
        {
            "F64" => Tensor.FromArray(ReadDoubles(file, path, offset, count), entry.Shape, device, DType.Float64),
            "F32" => Tensor.FromArray(ReadFloats(file, path, offset, count), entry.Shape, device),
            "F16" => Tensor.FromArray(ReadHalves(file, path, offset, count, bits => (float)BitConverter.UInt16BitsToHalf(bits)), entry.Shape, device),
            "BF16" => Tensor.FromArray(ReadHalves(file, path, offset, count, bits => BitConverter.UInt32BitsToSingle((uint)bits << 16)), entry.Shape, device),
            "I64" => Tensor.FromArray(ReadIntegers(file, path, offset, count, entry.Name), entry.Shape, device, DType.Float64),
            _ => throw new NotSupportedException($"SafeTensors.Load('{path}'): tensor '{entry.Name}' has dtype {entry.DType}, which TensorGrad does not read."),
        };
    }

    /// <summary>Fills <paramref name="destination"/> from the file at <paramref name="offset"/>, or throws if the file ends first.</summary>
    public static void ReadExactly(SafeFileHandle file, string path, long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(file, destination, offset);
            if (read == 0)
            {
                throw SafeTensorsHeaderParser.Corrupt(path, $"the file ended at byte {offset} while {destination.Length} more bytes were expected (was it changed while being read?)");
            }

            offset += read;
            destination = destination[read..];
        }
    }

    private static double[] ReadDoubles(SafeFileHandle file, string path, long offset, int count)
    {
        var values = new double[count];
        ReadAll<double>(file, path, offset, values);
        SwapIfBigEndian(MemoryMarshal.Cast<double, ulong>(values.AsSpan()));
        return values;
    }

    /// <summary>
    /// Reads 64-bit integers (such as PyTorch's BatchNorm num_batches_tracked) as float64, which
    /// holds every integer up to 2^53 exactly; a larger one is refused.
    /// </summary>
    private static double[] ReadIntegers(SafeFileHandle file, string path, long offset, int count, string name)
    {
        var integers = new long[count];
        ReadAll<long>(file, path, offset, integers);
        SwapIfBigEndian(MemoryMarshal.Cast<long, ulong>(integers.AsSpan()));
        const long exact = 1L << 53;
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = integers[i] is >= -exact and <= exact
                ? integers[i]
                : throw new NotSupportedException($"SafeTensors.Load('{path}'): tensor '{name}' holds the I64 value {integers[i]} at element {i}, which float64 cannot hold exactly.");
        }

        return values;
    }

    private static float[] ReadFloats(SafeFileHandle file, string path, long offset, int count)
    {
        var values = new float[count];
        ReadAll<float>(file, path, offset, values);
        SwapIfBigEndian(MemoryMarshal.Cast<float, uint>(values.AsSpan()));
        return values;
    }

    /// <summary>Reads 16-bit floats (IEEE half or bfloat16, by <paramref name="widen"/>) as float32.</summary>
    private static float[] ReadHalves(SafeFileHandle file, string path, long offset, int count, Func<ushort, float> widen)
    {
        var bits = new ushort[count];
        ReadAll<ushort>(file, path, offset, bits);
        SwapIfBigEndian(bits);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = widen(bits[i]);
        }

        return values;
    }

    private static void ReadAll<T>(SafeFileHandle file, string path, long offset, Span<T> values)
        where T : unmanaged
    {
        int chunk = ChunkBytes / Unsafe.SizeOf<T>();
        for (int start = 0; start < values.Length; start += chunk)
        {
            var bytes = MemoryMarshal.AsBytes(values.Slice(start, Math.Min(chunk, values.Length - start)));
            ReadExactly(file, path, offset, bytes);
            offset += bytes.Length;
        }
    }

    /// <summary>Hands the stored bytes of <paramref name="tensor"/> (what <see cref="Write"/> writes) to <paramref name="sink"/> in chunks of at most 1 GiB.</summary>
    public static void Bytes(Tensor tensor, Action<ReadOnlySpan<byte>> sink)
    {
        if (tensor.DType == DType.Float64)
        {
            var values = tensor.ToDoubleArray();
            SwapIfBigEndian(MemoryMarshal.Cast<double, ulong>(values.AsSpan()));
            Chunks<double>(values, sink);
        }
        else
        {
            var values = tensor.ToArray();
            SwapIfBigEndian(MemoryMarshal.Cast<float, uint>(values.AsSpan()));
            Chunks<float>(values, sink);
        }
    }

    private static void Chunks<T>(ReadOnlySpan<T> values, Action<ReadOnlySpan<byte>> sink)
        where T : unmanaged
    {
        int chunk = ChunkBytes / Unsafe.SizeOf<T>();
        for (int start = 0; start < values.Length; start += chunk)
        {
            sink(MemoryMarshal.AsBytes(values.Slice(start, Math.Min(chunk, values.Length - start))));
        }
    }

    private static void SwapIfBigEndian(Span<ushort> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }

    private static void SwapIfBigEndian(Span<uint> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }

    private static void SwapIfBigEndian(Span<ulong> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }
}
