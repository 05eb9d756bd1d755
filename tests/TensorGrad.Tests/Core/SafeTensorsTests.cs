using System.Buffers.Binary;
using System.Text;
using TensorGrad.IO;

namespace TensorGrad.Tests.Core;

/// <summary>The safetensors format: round trips, byte-level conformance with the spec, half precision and atomic writes.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A safetensors file: the 8-byte little-endian header length, the header text, then the data.</summary>
    internal static byte[] FileBytes(string header, params byte[][] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        return [.. bytes, .. json, .. data.SelectMany(d => d)];
    }

    internal static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    internal static byte[] Doubles(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        }

        return bytes;
    }

    /// <summary>The JSON followed by spaces up to a multiple of 8 bytes, as the reference writer pads it.</summary>
    private static string Padded(string json) => json + new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8);

    /// <summary>The checksum TensorGrad stores: SHA-256 of the name, a zero byte, the dtype and shape, then the bytes.</summary>
    private static string Sha256(string description, byte[] bytes) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. Encoding.UTF8.GetBytes(description), .. bytes]));

    private static byte[] Halves(params ushort[] bits) => [.. bits.SelectMany(b => new[] { (byte)b, (byte)(b >> 8) })];

    private static long[] Bits(Tensor t) => [.. t.ToDoubleArray().Select(BitConverter.DoubleToInt64Bits)];

    [Fact]
    public void A_round_trip_keeps_values_shapes_dtypes_order_and_metadata()
    {
        var saved = new OrderedDictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray([1.5f, -2, float.Epsilon, -0f, float.MaxValue, float.NaN], 2, 3),
            ["scalar"] = Tensor.Scalar(3.25),
            ["empty"] = Tensor.Zeros([0]),
            ["empty64"] = Tensor.Zeros([4, 0, 2], dtype: DType.Float64),
            ["precise"] = Tensor.FromArray([Math.PI, -0.0, double.Epsilon, double.MaxValue], 2, 2),
            ["a.last"] = Tensor.FromArray([7f], 1),
        };
        var metadata = new Dictionary<string, string> { ["author"] = "Zoë \"q\" ✓ 🙂", ["lr"] = "0.1" };
        string path = temp.PathOf("round.safetensors");

        SafeTensors.Save(path, saved, metadata);
        using var loaded = SafeTensors.Load(path);

        Assert.Equal(saved.Keys, loaded.Tensors.Keys);
        foreach (var (name, original) in saved)
        {
            var copy = loaded.Tensors[name];
            Assert.Equal(original.Shape, copy.Shape);
            Assert.Equal(original.DType, copy.DType);
            Assert.Equal(Bits(original), Bits(copy));
        }

        Assert.Equal(metadata, loaded.Metadata);
        Assert.Equal(["round.safetensors"], temp.FileNames());
    }

    [Fact]
    public void A_file_written_by_hand_from_the_spec_is_read()
    {
        string path = temp.PathOf("spec.safetensors");
        File.WriteAllBytes(path, FileBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", Floats(1.5f, -2)));
        using (var file = SafeTensors.Load(path))
        {
            var a = Assert.Single(file.Tensors).Value;
            Assert.Equal(new Shape(2), a.Shape);
            Assert.Equal([1.5f, -2], a.ToArray());
            Assert.Empty(file.Metadata);
        }

        // Header order (not data order) is kept; padding spaces, metadata and F64 are understood.
        string header = """{"__metadata__":{"format":"pt"},"b":{"dtype":"F64","shape":[],"data_offsets":[8,16]},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}     """;
        File.WriteAllBytes(path, FileBytes(header, Floats(3, 4), Doubles(-0.5)));
        using (var file = SafeTensors.Load(path))
        {
            Assert.Equal(["b", "a"], file.Tensors.Keys);
            Assert.Equal(DType.Float64, file.Tensors["b"].DType);
            Assert.Equal(Shape.Scalar, file.Tensors["b"].Shape);
            Assert.Equal([-0.5], file.Tensors["b"].ToDoubleArray());
            Assert.Equal([3f, 4], file.Tensors["a"].ToArray());
            Assert.Equal("pt", file.Metadata["format"]);
        }
    }

    [Fact]
    public void Saved_files_have_exactly_the_bytes_the_spec_and_reference_writer_give()
    {
        // The reference layout plus each tensor's SHA-256 (of "a", a zero byte, "F32[2]" and its bytes) in __metadata__; the JSON
        // is padded with spaces so the data starts 8-byte aligned.
        string path = temp.PathOf("exact.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.FromArray([1.5f, -2], 2) });
        byte[] a = Floats(1.5f, -2);
        byte[] expected = FileBytes(Padded($$$"""{"__metadata__":{"tensorgrad.sha256.a":"{{{Sha256("a\0F32[2]", a)}}}"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"""), a);
        Assert.Equal(expected, File.ReadAllBytes(path));

        // Metadata comes first, the caller's before the checksums; the header keeps dictionary
        // order while the data puts the F64 tensor first so every tensor is aligned to its element size.
        var tensors = new OrderedDictionary<string, Tensor> { ["x"] = Tensor.FromArray([1f], 1), ["y"] = Tensor.Scalar(2, dtype: DType.Float64) };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        byte[] x = Floats(1), y = Doubles(2);
        expected = FileBytes(
            Padded($$$"""{"__metadata__":{"k":"v","tensorgrad.sha256.x":"{{{Sha256("x\0F32[1]", x)}}}","tensorgrad.sha256.y":"{{{Sha256("y\0F64[]", y)}}}"},"x":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"y":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}"""),
            y,
            x);
        Assert.Equal(expected, File.ReadAllBytes(path));

        SafeTensors.Save(path, new Dictionary<string, Tensor>());
        Assert.Equal(FileBytes("{}      "), File.ReadAllBytes(path));
    }

    [Fact]
    public void F16_and_BF16_tensors_are_read_as_float32()
    {
        string path = temp.PathOf("half.safetensors");
        string header = """{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[10,18]}}""";
        byte[] half = Halves(0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001);
        byte[] brain = Halves(0x3F80, 0xC040, 0x4049, 0xFF80);
        File.WriteAllBytes(path, FileBytes(header, half, brain));

        using var file = SafeTensors.Load(path);
        var h = file.Tensors["h"];
        var b = file.Tensors["b"];
        Assert.Equal((DType.Float32, new Shape(5)), (h.DType, h.Shape));
        Assert.Equal([1f, -2, 0.5f, 65504, MathF.Pow(2, -24)], h.ToArray());
        Assert.Equal((DType.Float32, new Shape(2, 2)), (b.DType, b.Shape));
        Assert.Equal([1f, -3, 3.140625f, float.NegativeInfinity], b.ToArray());
    }

    [Fact]
    public void I64_tensors_such_as_num_batches_tracked_are_read_as_exact_float64_and_too_large_ones_refused()
    {
        string path = temp.PathOf("ints.safetensors");
        string header = """{"num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"ids":{"dtype":"I64","shape":[2],"data_offsets":[8,24]}}""";
        File.WriteAllBytes(path, FileBytes(header, BitConverter.GetBytes(3L), [.. BitConverter.GetBytes(-7L), .. BitConverter.GetBytes(1L << 53)]));

        using (var file = SafeTensors.Load(path))
        {
            Assert.Equal((DType.Float64, Shape.Scalar), (file.Tensors["num_batches_tracked"].DType, file.Tensors["num_batches_tracked"].Shape));
            Assert.Equal([3.0], file.Tensors["num_batches_tracked"].ToDoubleArray());
            Assert.Equal([-7.0, 9007199254740992.0], file.Tensors["ids"].ToDoubleArray());
        }

        File.WriteAllBytes(path, FileBytes("""{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", BitConverter.GetBytes((1L << 53) + 1)));
        Assert.Contains("cannot hold exactly", Assert.Throws<NotSupportedException>(() => SafeTensors.Load(path)).Message);
    }

    [Theory]
    [InlineData("", "a tensor name is empty")]
    [InlineData("__metadata__", "'__metadata__' is reserved for the metadata")]
    public void Save_rejects_bad_names_and_writes_nothing(string name, string expected)
    {
        string path = temp.PathOf("bad.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { [name] = Tensor.Zeros([1]) }));
        Assert.Contains($"SafeTensors.Save('{path}'): {expected}", e.Message);
        Assert.Empty(temp.FileNames());
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file_byte_identical_and_no_temporary_file()
    {
        string path = temp.PathOf("model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray([1f, 2, 3], 3) });
        byte[] before = File.ReadAllBytes(path);

        var disposed = Tensor.FromArray([4f, 5], 2);
        disposed.Dispose();
        var tensors = new OrderedDictionary<string, Tensor> { ["w"] = Tensor.FromArray([9f, 9, 9], 3), ["gone"] = disposed };
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, tensors));
        Assert.Contains("tensor 'gone' ([2]) has been disposed. Nothing was written.", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], temp.FileNames());
    }

    [Fact]
    public void A_save_that_fails_after_writing_the_temporary_file_deletes_it()
    {
        // The final rename cannot replace a directory: the data is written, then the move fails.
        string path = temp.PathOf("taken");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros([4]) }));
        Assert.Equal(["taken"], temp.FileNames());
        Assert.Empty(Directory.EnumerateFileSystemEntries(path));

        Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Save(temp.PathOf("missing/w.safetensors"), new Dictionary<string, Tensor>()));
        Assert.Equal(["taken"], temp.FileNames());
    }
}
