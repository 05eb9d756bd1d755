using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace TensorGrad.IO;

/// <summary>
/// Parses a safetensors header and checks it against the spec: every entry well formed, each
/// byte range the size its shape and dtype need, and the ranges tiling the data buffer exactly
/// (no overlaps, no holes, nothing left over). Problems throw an <see cref="InvalidDataException"/>
/// naming the file.
/// </summary>
internal static class SafeTensorsHeaderParser
{
    /// <summary>One past the largest element count tracked exactly; larger counts cannot fit in any file.</summary>
    private static readonly Int128 CountLimit = (Int128)long.MaxValue + 1;

    /// <summary>The exception for a malformed file.</summary>
    public static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
        new($"SafeTensors.Load('{path}'): {problem}.", inner);

    /// <summary>Parses <paramref name="json"/>, the header of <paramref name="path"/>, whose data buffer is <paramref name="bufferLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(string path, ReadOnlyMemory<byte> json, long bufferLength)
    {
        if (!Utf8.IsValid(json.Span))
        {
            throw Corrupt(path, "the header is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"the header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(path, $"the header is a JSON {Kind(root)}, not an object");
            }

            if (json.Span[0] != (byte)'{')
            {
                throw Corrupt(path, "the header does not start with '{' (leading whitespace is not allowed)");
            }

            var entries = new List<SafeTensorsEntry>();
            IReadOnlyDictionary<string, string>? metadata = null;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Corrupt(path, $"the header names '{property.Name}' twice");
                }

                if (property.Name == SafeTensorsHeader.MetadataKey)
                {
                    metadata = ParseMetadata(path, property.Value);
                }
                else
                {
                    entries.Add(ParseEntry(path, property.Name, property.Value, bufferLength));
                }
            }

            CheckTiling(path, entries, bufferLength);
            return new SafeTensorsHeader(entries, metadata ?? new Dictionary<string, string>());
        }
    }

    private static OrderedDictionary<string, string> ParseMetadata(string path, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"'{SafeTensorsHeader.MetadataKey}' is a JSON {Kind(value)}, not an object of strings");
        }

        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Corrupt(path, $"'{SafeTensorsHeader.MetadataKey}' entry '{item.Name}' is a JSON {Kind(item.Value)}, not a string");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw Corrupt(path, $"'{SafeTensorsHeader.MetadataKey}' names '{item.Name}' twice");
            }
        }

        return metadata;
    }

    private static SafeTensorsEntry ParseEntry(string path, string name, JsonElement value, long bufferLength)
    {
        string Problem(string what) => $"tensor '{name}': {what}";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, Problem($"the entry is a JSON {Kind(value)}, not an object with dtype, shape and data_offsets"));
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in value.EnumerateObject())
        {
            if (!fields.TryAdd(field.Name, field.Value))
            {
                throw Corrupt(path, Problem($"'{field.Name}' appears twice"));
            }
        }

        JsonElement Field(string field) =>
            fields.TryGetValue(field, out var element) ? element : throw Corrupt(path, Problem($"'{field}' is missing"));

        var dtypeElement = Field("dtype");
        string dtype = dtypeElement.ValueKind == JsonValueKind.String
            ? dtypeElement.GetString()!
            : throw Corrupt(path, Problem($"dtype {dtypeElement.GetRawText()} is not a string"));
        int bits = SafeTensorsDTypes.BitsOf(dtype) ?? throw Corrupt(path, Problem($"dtype '{dtype}' is not a safetensors dtype"));

        var shapeElement = Field("shape");
        if (shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Corrupt(path, Problem($"shape {shapeElement.GetRawText()} is not an array"));
        }

        var dims = new List<int>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim))
            {
                throw Corrupt(path, Problem($"shape {shapeElement.GetRawText()} holds {d.GetRawText()}, not an integer"));
            }

            if (dim < 0 || dim > int.MaxValue)
            {
                throw Corrupt(path, Problem($"shape {shapeElement.GetRawText()} has dimension {dim}, outside [0, {int.MaxValue}]"));
            }

            dims.Add((int)dim);
        }

        var offsetsElement = Field("data_offsets");
        string offsetsText = offsetsElement.GetRawText();
        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2
            || !TryOffset(offsetsElement[0], out ulong begin) || !TryOffset(offsetsElement[1], out ulong end))
        {
            throw Corrupt(path, Problem($"data_offsets {offsetsText} is not [begin, end] with non-negative integers"));
        }

        if (begin > end)
        {
            throw Corrupt(path, Problem($"data_offsets {offsetsText} are reversed (begin > end)"));
        }

        if (end > (ulong)bufferLength)
        {
            throw Corrupt(path, Problem($"data_offsets {offsetsText} go past the end of the {bufferLength}-byte data buffer"));
        }

        Int128 count = 1;
        foreach (int d in dims)
        {
            count = Int128.Min(count * d, CountLimit);
        }

        var shape = new Shape([.. dims]);
        Int128 payloadBits = count * bits;
        if (payloadBits % 8 != 0 || payloadBits / 8 != end - begin)
        {
            string needed = payloadBits % 8 == 0 ? $"{payloadBits / 8} bytes" : $"{payloadBits} bits, not a whole number of bytes";
            throw Corrupt(path, Problem($"shape {shape} of {dtype} needs {needed} but data_offsets {offsetsText} hold {end - begin}"));
        }

        return new SafeTensorsEntry(name, dtype, shape, (long)begin, (long)end);
    }

    /// <summary>Checks that the byte ranges, in offset order, cover [0, bufferLength) exactly once.</summary>
    private static void CheckTiling(string path, List<SafeTensorsEntry> entries, long bufferLength)
    {
        long covered = 0;
        SafeTensorsEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < covered)
            {
                throw Corrupt(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{entry.Name}' [{entry.Begin}, {entry.End}] overlap");
            }

            if (entry.Begin > covered)
            {
                throw Corrupt(path, $"bytes [{covered}, {entry.Begin}) of the data buffer belong to no tensor (a hole before '{entry.Name}')");
            }

            covered = entry.End;
            previous = entry;
        }

        if (covered != bufferLength)
        {
            throw Corrupt(path, $"the last {bufferLength - covered} bytes of the {bufferLength}-byte data buffer belong to no tensor");
        }
    }

    private static bool TryOffset(JsonElement element, out ulong value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out value);
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture);
}
