namespace TensorGrad.IO;

/// <summary>The safetensors dtype names: their element sizes, and which of them TensorGrad reads and writes.</summary>
internal static class SafeTensorsDTypes
{
    /// <summary>Bits per element of every dtype of the safetensors format (sub-byte types pack several elements a byte).</summary>
    private static readonly Dictionary<string, int> Bits = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8,
        ["U8"] = 8,
        ["I8"] = 8,
        ["F8_E5M2"] = 8,
        ["F8_E4M3"] = 8,
        ["F8_E8M0"] = 8,
        ["F4"] = 4,
        ["F6_E2M3"] = 6,
        ["F6_E3M2"] = 6,
        ["I16"] = 16,
        ["U16"] = 16,
        ["F16"] = 16,
        ["BF16"] = 16,
        ["I32"] = 32,
        ["U32"] = 32,
        ["F32"] = 32,
        ["I64"] = 64,
        ["U64"] = 64,
        ["F64"] = 64,
        ["C64"] = 64,
    };

    /// <summary>The dtypes <see cref="SafeTensors.Load"/> reads, and the <see cref="DType"/> each becomes.</summary>
    private static readonly Dictionary<string, DType> Readable = new(StringComparer.Ordinal)
    {
        ["F32"] = DType.Float32,
        ["F64"] = DType.Float64,
        ["F16"] = DType.Float32,
        ["BF16"] = DType.Float32,
        ["I64"] = DType.Float64,
    };

    /// <summary>The names of the readable dtypes, for messages.</summary>
    public static string ReadableNames => string.Join(", ", Readable.Keys);

    /// <summary>Bits per element of <paramref name="name"/>, or null when it is not a safetensors dtype.</summary>
    public static int? BitsOf(string name) => Bits.TryGetValue(name, out int bits) ? bits : null;

    /// <summary>The <see cref="DType"/> a tensor stored as <paramref name="name"/> loads as, or null when TensorGrad cannot read it.</summary>
    public static DType? LoadedAs(string name) => Readable.TryGetValue(name, out var dtype) ? dtype : null;

    /// <summary>The safetensors name a tensor of <paramref name="dtype"/> is saved under.</summary>
    public static string NameOf(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        _ => throw new NotSupportedException($"SafeTensors.Save: dtype {dtype} has no safetensors name."),
    };
}
