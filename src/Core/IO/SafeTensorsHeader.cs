using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TensorGrad.IO;

/// <summary>One tensor of a safetensors header: its dtype name, shape and byte range in the data buffer.</summary>
internal sealed record SafeTensorsEntry(string Name, string DType, Shape Shape, long Begin, long End);

/// <summary>A validated safetensors header: the tensors in header order and the <c>__metadata__</c> map.</summary>
internal sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The reserved header key holding the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header the reference implementation reads (100 MB); larger ones are refused.</summary>
    public const long MaxBytes = 100_000_000;

    /// <summary>
    /// The header as the reference implementation writes it: compact JSON, <c>__metadata__</c>
    /// first (when there is any), then the tensors in order, padded with spaces to a multiple of 8
    /// bytes so the data buffer after the 8-byte length starts 8-byte aligned.
    /// </summary>
    public byte[] Serialize()
    {
        var text = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(text, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in Metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            foreach (var entry in Entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType);
                json.WriteStartArray("shape");
                foreach (int d in entry.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        var header = new byte[(text.WrittenCount + 7) & ~7];
        text.WrittenSpan.CopyTo(header);
        header.AsSpan(text.WrittenCount).Fill((byte)' ');
        return header;
    }
}
