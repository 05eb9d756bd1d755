using System.Buffers.Binary;

namespace TensorGrad.IO;

/// <summary>
/// Reads and writes the safetensors format of Hugging Face (<c>safetensors.torch.save_file</c> /
/// <c>load_file</c>): an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing
/// each tensor (<c>{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}</c>) plus an
/// optional <c>"__metadata__"</c> map of strings, then the tensors' little-endian, row-major bytes.
/// </summary>
public static class SafeTensors
{
    /// <summary>
    /// Writes <paramref name="tensors"/> (Float32 as F32, Float64 as F64) and
    /// <paramref name="metadata"/> to <paramref name="path"/>. The header lists the tensors in
    /// dictionary order; their data is laid out Float64 tensors first, then Float32, each group in
    /// dictionary order, so every tensor is aligned to its element size (the header is padded with
    /// spaces so the data starts 8-byte aligned, as the reference implementation does). The
    /// metadata also gets the SHA-256 of each tensor's bytes (<c>tensorgrad.sha256.NAME</c>),
    /// which <see cref="Load"/> verifies; other readers ignore it. The write
    /// is atomic: a temporary file in the same directory is flushed to disk and renamed over
    /// <paramref name="path"/>; on failure it is deleted and an existing file is left as it was.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty or <c>"__metadata__"</c>, a tensor is null or disposed, a metadata value is null, or a metadata key starts with <c>tensorgrad.sha256.</c>.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var items = new List<(string Name, Tensor Tensor)>();
        foreach (var (name, tensor) in tensors)
        {
            string? problem = ProblemWith(name, tensor);
            if (problem is not null)
            {
                throw new ArgumentException($"SafeTensors.Save('{path}'): {problem}. Nothing was written.", nameof(tensors));
            }

            items.Add((name, tensor));
        }

        var strings = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (SafeTensorsChecksums.IsChecksum(key))
            {
                throw new ArgumentException($"SafeTensors.Save('{path}'): metadata keys starting with '{SafeTensorsChecksums.Prefix}' are reserved for the tensors' checksums ('{key}'). Nothing was written.", nameof(metadata));
            }

            strings.Add(key, value ?? throw new ArgumentException($"SafeTensors.Save('{path}'): metadata '{key}' is null. Nothing was written.", nameof(metadata)));
        }

        foreach (var (name, tensor) in items)
        {
            var (key, checksum) = SafeTensorsChecksums.Entry(name, tensor);
            strings.Add(key, checksum);
        }

        var layout = items.OrderByDescending(item => item.Tensor.DType.ElementSize()).ToList();
        var placed = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, tensor) in layout)
        {
            long bytes = tensor.Size * tensor.DType.ElementSize();
            placed.Add(name, new SafeTensorsEntry(name, SafeTensorsDTypes.NameOf(tensor.DType), tensor.Shape, offset, offset + bytes));
            offset += bytes;
        }

        var entries = items.Select(item => placed[item.Name]).ToList();
        byte[] header = new SafeTensorsHeader(entries, strings).Serialize();
        if (header.Length > SafeTensorsHeader.MaxBytes)
        {
            throw new ArgumentException($"SafeTensors.Save('{path}'): the header would be {header.Length} bytes, over the format's {SafeTensorsHeader.MaxBytes}-byte limit; split the tensors over several files.", nameof(tensors));
        }

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor) in layout)
            {
                TensorBytes.Write(stream, tensor);
            }
        });
    }

    /// <summary>
    /// Reads every tensor of the safetensors file at <paramref name="path"/> onto
    /// <paramref name="device"/> (the CPU by default). F32 and F64 load as Float32 and Float64;
    /// F16 and BF16 (as PyTorch often saves) are widened to Float32. The whole header is parsed
    /// and checked before any tensor is made, and so are the SHA-256 checksums TensorGrad writes
    /// (files without them load unchecked); if reading fails the tensors made so far are
    /// disposed, so a bad file is never half loaded. The checksum entries are not in the
    /// returned metadata.
    /// </summary>
    /// <exception cref="InvalidDataException">The file breaks the format: too short, a header length past the end or over 100 MB, a header that is not a JSON object, a malformed entry, byte ranges that do not match their shape and dtype or that overlap, leave holes or leave bytes over, a name given twice, or a tensor whose bytes do not match its checksum.</exception>
    /// <exception cref="NotSupportedException">A tensor has a dtype TensorGrad does not read (I64, U8, BOOL, ...), too many elements for one array, or a dtype <paramref name="device"/> cannot hold.</exception>
    public static SafeTensorsFile Load(string path, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        device ??= Device.Cpu;
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"SafeTensors.Load: '{path}' is a directory, not a safetensors file.", nameof(path));
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        if (length < 8)
        {
            throw SafeTensorsHeaderParser.Corrupt(path, $"the file is {length} bytes, shorter than the 8-byte header length that starts a safetensors file");
        }

        Span<byte> prefix = stackalloc byte[8];
        TensorBytes.ReadExactly(file, path, 0, prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensorsHeader.MaxBytes)
        {
            throw SafeTensorsHeaderParser.Corrupt(path, $"the header length {headerLength} is over the format's {SafeTensorsHeader.MaxBytes}-byte limit (is this a safetensors file?)");
        }

        if (headerLength > (ulong)(length - 8))
        {
            throw SafeTensorsHeaderParser.Corrupt(path, $"the header length {headerLength} goes past the end of the {length}-byte file");
        }

        var json = new byte[headerLength];
        TensorBytes.ReadExactly(file, path, 8, json);
        long dataStart = 8 + (long)headerLength;
        var header = SafeTensorsHeaderParser.Parse(path, json, length - dataStart);
        CheckLoadable(path, header, device);
        SafeTensorsChecksums.Verify(file, path, header, dataStart);

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                tensors.Add(entry.Name, TensorBytes.Read(file, path, dataStart + entry.Begin, entry, device));
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return new SafeTensorsFile(tensors, SafeTensorsChecksums.Without(header.Metadata));
    }

    /// <summary>Why <paramref name="tensor"/> cannot be saved under <paramref name="name"/>, or null when it can.</summary>
    private static string? ProblemWith(string name, Tensor? tensor) =>
        string.IsNullOrEmpty(name) ? "a tensor name is empty"
        : name == SafeTensorsHeader.MetadataKey ? $"'{name}' is reserved for the metadata and cannot name a tensor"
        : tensor is null ? $"tensor '{name}' is null"
        : tensor.IsDisposed ? $"tensor '{name}' ({tensor.Shape}) has been disposed"
        : null;

    private static void CheckLoadable(string path, SafeTensorsHeader header, Device device)
    {
        foreach (var entry in header.Entries)
        {
            string? problem = SafeTensorsDTypes.LoadedAs(entry.DType) is not { } dtype
                ? $"tensor '{entry.Name}' has dtype {entry.DType}; TensorGrad reads {SafeTensorsDTypes.ReadableNames} (F16 and BF16 become Float32)"
                : entry.Shape.Size > Array.MaxLength ? $"tensor '{entry.Name}' {entry.Shape} has more elements than one array can hold"
                : !device.Backend.Supports(dtype) ? $"tensor '{entry.Name}' is {entry.DType} but device {device} cannot hold {dtype}"
                : null;
            if (problem is not null)
            {
                throw new NotSupportedException($"SafeTensors.Load('{path}'): {problem}. Nothing was loaded.");
            }
        }
    }
}
