using System.IO.Compression;
using TensorGrad.Data;

namespace TensorGrad.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("plain-idx3-ubyte")]
    [InlineData("compressed-idx3-ubyte.gz")]
    public void Write_then_read_round_trips_dimensions_and_values(string name)
    {
        var path = temp.PathOf(name);
        float[] values = [.. Enumerable.Range(0, 2 * 3 * 4).Select(i => (float)(i * 10 % 256))];
        IdxFile.Write(path, [2, 3, 4], values);
        var read = IdxFile.Read(path);
        Assert.Equal([2, 3, 4], read.Dimensions);
        Assert.Equal(values, read.Values);
        Assert.Equal(name.EndsWith(".gz"), File.ReadAllBytes(path)[0] == 0x1F);
    }

    [Theory]
    [InlineData(0x08, new[] { 65536, 65536, 65536, 65536 }, "more than 2⁶³")]
    [InlineData(0x08, new[] { 65535, 65535, 65535, 65535 }, "more than 2⁶³")]
    [InlineData(0x08, new[] { 1 << 30, 1 << 30, 16 }, "more than 2⁶³")]
    [InlineData(0x0E, new[] { 1 << 30, 1 << 30, 2 }, "2,305,843,009,213,693,952 values")]
    [InlineData(0x08, new[] { 1 << 16, 1 << 16 }, "4,294,967,296 values")]
    public void A_header_whose_sizes_overflow_is_refused_with_its_dimensions_and_the_limit(byte type, int[] dimensions, string count)
    {
        var path = temp.PathOf("huge");
        var header = new byte[4 + (4 * dimensions.Length)];
        header[2] = type;
        header[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * d)), dimensions[d]);
        }

        File.WriteAllBytes(path, header);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains($"[{string.Join(", ", dimensions)}]", e.Message);
        Assert.Contains(count, e.Message);
        Assert.Contains($"{Array.MaxLength:N0}", e.Message);
        Assert.DoesNotContain("-", e.Message.Replace(path, "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hand_written_file_is_read_byte_for_byte()
    {
        // magic 0x00000801 (unsigned bytes, 1 dimension), count 3 big-endian, then 7 0 255.
        var path = temp.PathOf("labels");
        File.WriteAllBytes(path, [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 255]);
        var read = IdxFile.Read(path);
        Assert.Equal([3], read.Dimensions);
        Assert.Equal([7f, 0, 255], read.Values);

        // int16 big-endian values: -2 and 258.
        File.WriteAllBytes(path, [0, 0, 0x0B, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x02]);
        Assert.Equal([-2f, 258], IdxFile.Read(path).Values);
    }

    public static TheoryData<string, byte[], string> CorruptFiles => new()
    {
        { "too short", [0, 0], "shorter than the 4-byte magic number" },
        { "bad magic", [1, 2, 8, 1, 0, 0, 0, 1, 5], "not an IDX magic number" },
        { "unknown type", [0, 0, 0x42, 1, 0, 0, 0, 1, 5], "not an IDX magic number" },
        { "truncated header", [0, 0, 8, 3, 0, 0, 0, 2, 0, 0], "header of 3 dimensions needs 16 bytes" },
        { "truncated data", [0, 0, 8, 1, 0, 0, 0, 4, 1, 2], "need 4 bytes of data but the file has 2 (truncated)" },
        { "trailing bytes", [0, 0, 8, 1, 0, 0, 0, 1, 1, 2], "(trailing bytes)" },
        { "negative dimension", [0, 0, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF], "dimension 0 is negative" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void A_malformed_file_is_reported_with_its_name_and_problem(string name, byte[] bytes, string problem)
    {
        var path = temp.PathOf(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_corrupt_gzip_stream_is_reported_with_the_file_name()
    {
        var path = temp.PathOf("broken.gz");
        IdxFile.Write(path, [100], new float[100]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Gzip_is_detected_by_content_not_by_name()
    {
        var path = temp.PathOf("no-extension");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write([0, 0, 8, 1, 0, 0, 0, 1, 42]);
        }

        Assert.Equal([42f], IdxFile.Read(path).Values);
    }
}
