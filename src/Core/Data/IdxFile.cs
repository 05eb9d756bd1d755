using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace TensorGrad.Data;

/// <summary>The contents of an IDX file: its dimensions and its values, converted to float32.</summary>
/// <param name="Dimensions">The sizes of each dimension, outermost first (MNIST images: count, rows, columns).</param>
/// <param name="Values">The elements in row-major order.</param>
public sealed record IdxArray(int[] Dimensions, float[] Values);

/// <summary>
/// Reads and writes the IDX format of MNIST and Fashion-MNIST: a 4-byte magic number (two zero
/// bytes, a type code, the number of dimensions), one big-endian int32 per dimension, then the
/// big-endian data. Gzip-compressed files are recognized by their content, whatever their name.
/// Every malformed file raises an <see cref="InvalidDataException"/> naming the file and the problem.
/// </summary>
public static class IdxFile
{
    /// <summary>Type code of unsigned bytes, the type MNIST uses.</summary>
    public const byte UnsignedByte = 0x08;

    private static readonly Dictionary<byte, (string Name, int Size)> Types = new()
    {
        [0x08] = ("unsigned byte", 1),
        [0x09] = ("signed byte", 1),
        [0x0B] = ("int16", 2),
        [0x0C] = ("int32", 4),
        [0x0D] = ("float32", 4),
        [0x0E] = ("float64", 8),
    };

    /// <summary>Reads an IDX file, plain or gzip-compressed.</summary>
    public static IdxArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = Decompress(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{path}': the gzip stream is corrupt ({e.Message}).", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>
    /// Writes <paramref name="values"/> with <paramref name="dimensions"/> as an IDX file of
    /// unsigned bytes (values are rounded and must lie in [0, 255]); gzip-compressed when the path ends in ".gz".
    /// </summary>
    public static void Write(string path, int[] dimensions, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        long count = dimensions.Aggregate(1L, (n, d) => n * d);
        if (dimensions.Length is 0 or > 255 || dimensions.Any(d => d < 0) || count != values.Length)
        {
            throw new ArgumentException($"IdxFile.Write '{path}': dimensions [{string.Join(", ", dimensions)}] do not describe {values.Length} values.", nameof(dimensions));
        }

        var bytes = new byte[4 + (4 * dimensions.Length) + values.Length];
        bytes[2] = UnsignedByte;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), dimensions[d]);
        }

        int offset = 4 + (4 * dimensions.Length);
        for (int i = 0; i < values.Length; i++)
        {
            float v = MathF.Round(values[i]);
            if (!(v is >= 0 and <= 255))
            {
                throw new ArgumentOutOfRangeException(nameof(values), values[i], $"IdxFile.Write '{path}': value {i} does not fit an unsigned byte.");
            }

            bytes[offset + i] = (byte)v;
        }

        using var file = File.Create(path);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file;
        output.Write(bytes);
    }

    private static byte[] Decompress(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B)
        {
            return bytes;
        }

        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static IdxArray Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 4)
        {
            throw Corrupt(path, $"it is {bytes.Length} bytes long, shorter than the 4-byte magic number");
        }

        if (bytes[0] != 0 || bytes[1] != 0 || !Types.TryGetValue(bytes[2], out var type) || bytes[3] == 0)
        {
            throw Corrupt(path, $"the magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8} is not an IDX magic number (0x000008NN for unsigned bytes with NN dimensions)");
        }

        int rank = bytes[3];
        int headerLength = 4 + (4 * rank);
        if (bytes.Length < headerLength)
        {
            throw Corrupt(path, $"the header of {rank} dimensions needs {headerLength} bytes but the file has {bytes.Length}");
        }

        var dimensions = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * d)));
            if (dimensions[d] < 0)
            {
                throw Corrupt(path, $"dimension {d} is negative ({dimensions[d]})");
            }
        }

        string shape = $"[{string.Join(", ", dimensions)}]";
        if (!Shape.TryCount(dimensions, out long count) || count > Array.MaxLength)
        {
            string values = count < 0 ? "more than 2⁶³" : count.ToString("N0", CultureInfo.InvariantCulture);
            throw Corrupt(path, $"{shape} describes {values} values, more than the {Array.MaxLength.ToString("N0", CultureInfo.InvariantCulture)} one array can hold");
        }

        long expected = count * type.Size;
        long actual = bytes.Length - headerLength;
        if (actual != expected)
        {
            throw Corrupt(path, $"{shape} {type.Name} values need {expected} bytes of data but the file has {actual}{(actual < expected ? " (truncated)" : " (trailing bytes)")}");
        }

        return new IdxArray(dimensions, Convert(bytes.AsSpan(headerLength), bytes[2], (int)count));
    }

    private static float[] Convert(ReadOnlySpan<byte> data, byte type, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = type switch
            {
                0x08 => data[i],
                0x09 => (sbyte)data[i],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(data[(2 * i)..]),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(data[(4 * i)..]),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(data[(4 * i)..]),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(data[(8 * i)..]),
            };
        }

        return values;
    }

    private static InvalidDataException Corrupt(string path, string problem) => new($"IDX file '{path}' is malformed: {problem}.");
}
