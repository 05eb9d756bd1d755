using System.Buffers.Binary;
using TensorGrad.IO;
using static TensorGrad.Tests.Core.SafeTensorsTests;

namespace TensorGrad.Tests.Core;

/// <summary>Every way a safetensors file can break the spec is refused with a message naming the file and the problem.</summary>
public sealed class SafeTensorsCorruptionTests : IDisposable
{
    private const string A = """{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""";

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Header JSON, bytes of data after it, and the problem the message must state.</summary>
    public static TheoryData<string, int, string> BadHeaders => new()
    {
        { """{"a":""", 0, "the header is not valid JSON" },
        { "[1, 2]", 0, "the header is a JSON array, not an object" },
        { " {}", 0, "the header does not start with '{'" },
        { """{"a":5}""", 0, "tensor 'a': the entry is a JSON number, not an object" },
        { """{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, "tensor 'a': 'dtype' is missing" },
        { """{"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}""", 8, "tensor 'a': dtype 7 is not a string" },
        { """{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8, "tensor 'a': dtype 'F33' is not a safetensors dtype" },
        { """{"a":{"dtype":"F32","data_offsets":[0,8]}}""", 8, "tensor 'a': 'shape' is missing" },
        { """{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}""", 8, "tensor 'a': shape 2 is not an array" },
        { """{"a":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,8]}}""", 8, "tensor 'a': shape [2,-1] has dimension -1" },
        { """{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}""", 8, "tensor 'a': shape [1.5] holds 1.5, not an integer" },
        { """{"a":{"dtype":"F32","shape":[2]}}""", 8, "tensor 'a': 'data_offsets' is missing" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}}""", 8, "tensor 'a': data_offsets [8] is not [begin, end]" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,7]}}""", 8, "tensor 'a': data_offsets [-1,7] is not [begin, end]" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "tensor 'a': data_offsets [8,0] are reversed" },
        { """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "tensor 'a': data_offsets [0,16] go past the end of the 8-byte data buffer" },
        { """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "tensor 'a': shape [3] of F32 needs 12 bytes but data_offsets [0,8] hold 8" },
        { """{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}""", 2, "needs 12 bits, not a whole number of bytes" },
        { """{"a":{"dtype":"F32","shape":[65536,65536,65536],"data_offsets":[0,8]}}""", 8, "needs 1125899906842624 bytes but data_offsets [0,8] hold 8" },
        { """{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "tensor 'a': 'dtype' appears twice" },
        { $$$"""{"a":{{{A}}},"a":{{{A}}}}""", 8, "the header names 'a' twice" },
        { $$$"""{"a":{{{A}}},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "tensors 'a' [0, 8] and 'b' [4, 12] overlap" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12, "bytes [4, 8) of the data buffer belong to no tensor (a hole before 'b')" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "bytes [0, 4) of the data buffer belong to no tensor" },
        { $$$"""{"a":{{{A}}}}""", 12, "the last 4 bytes of the 12-byte data buffer belong to no tensor" },
        { """{"__metadata__":["x"]}""", 0, "'__metadata__' is a JSON array, not an object of strings" },
        { """{"__metadata__":{"epoch":3}}""", 0, "'__metadata__' entry 'epoch' is a JSON number, not a string" },
    };

    /// <summary>Whole files whose framing (length prefix, encoding) is wrong, and the problem the message must state.</summary>
    public static TheoryData<byte[], string> BadFiles => new()
    {
        { [], "the file is 0 bytes, shorter than the 8-byte header length" },
        { [2, 0, 0, 0, 0], "the file is 5 bytes, shorter than the 8-byte header length" },
        { FileBytes("{}")[..9], "the header length 2 goes past the end of the 9-byte file" },
        { [.. Length(100_000_001), .. "{}"u8], "the header length 100000001 is over the format's 100000000-byte limit" },
        { [.. Length(ulong.MaxValue), .. "{}"u8], $"the header length {ulong.MaxValue} is over the format's 100000000-byte limit" },
        { InvalidUtf8(), "the header is not valid UTF-8" },
    };

    private static byte[] InvalidUtf8()
    {
        byte[] bytes = FileBytes("""{"x":1} """);
        bytes[10] = 0xFF;
        return bytes;
    }

    private static byte[] Length(ulong n)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, n);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void A_malformed_header_is_refused(string header, int dataBytes, string problem)
    {
        AssertRefused(FileBytes(header, new byte[dataBytes]), problem);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_malformed_file_is_refused(byte[] bytes, string problem)
    {
        AssertRefused(bytes, problem);
    }

    [Theory]
    [InlineData("I32", 4)]
    [InlineData("U8", 1)]
    [InlineData("BOOL", 1)]
    public void A_dtype_tensorgrad_does_not_hold_is_refused_naming_the_tensor(string dtype, int size)
    {
        string path = temp.PathOf("ints.safetensors");
        string header = $$$"""{"w":{{{A}}},"ids":{"dtype":"{{{dtype}}}","shape":[3],"data_offsets":[8,{{{8 + (3 * size)}}}]}}""";
        File.WriteAllBytes(path, FileBytes(header, Floats(1, 2), new byte[3 * size]));
        var e = Assert.Throws<NotSupportedException>(() => SafeTensors.Load(path));
        Assert.Contains($"SafeTensors.Load('{path}'): tensor 'ids' has dtype {dtype}; TensorGrad reads F32, F64, F16, BF16, I64", e.Message);
    }

    private void AssertRefused(byte[] bytes, string problem)
    {
        string path = temp.PathOf("corrupt.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains($"SafeTensors.Load('{path}'): ", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
