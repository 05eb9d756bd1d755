using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TensorGrad.IO;

/// <summary>
/// SHA-256 checksums of each tensor (its name, a zero byte, its dtype and shape as
/// <c>F32[2,3]</c>, then its bytes),
/// which TensorGrad keeps in the safetensors
/// <c>__metadata__</c> as <c>tensorgrad.sha256.NAME</c> (lowercase hex). Loading verifies every
/// checksum a file has before it makes any tensor, so a changed byte is reported instead of
/// loaded; files without checksums (other tools' safetensors) load as before. Other readers
/// ignore the entries. A file with checksums must have one for every tensor: a checksum key
/// damaged along with the data would otherwise leave that tensor unchecked.
/// </summary>
internal static class SafeTensorsChecksums
{
    /// <summary>The metadata key prefix; keys with it are reserved.</summary>
    public const string Prefix = "tensorgrad.sha256.";

    private const int BufferBytes = 1 << 20;

    /// <summary>True for a metadata key that holds a checksum.</summary>
    public static bool IsChecksum(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The metadata entry holding the checksum of <paramref name="tensor"/> saved under <paramref name="name"/>.</summary>
    public static KeyValuePair<string, string> Entry(string name, Tensor tensor)
    {
        using var hash = Begin(name, SafeTensorsDTypes.NameOf(tensor.DType), tensor.Shape);
        TensorBytes.Bytes(tensor, hash.AppendData);
        return new(Prefix + name, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The metadata without the checksum entries (what a loaded file shows its caller).</summary>
    public static OrderedDictionary<string, string> Without(IReadOnlyDictionary<string, string> metadata)
    {
        var rest = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            if (!IsChecksum(key))
            {
                rest.Add(key, value);
            }
        }

        return rest;
    }

    /// <summary>Checks each tensor in the file against its checksum, where the file has checksums.</summary>
    /// <exception cref="InvalidDataException">A checksum names no tensor or is malformed, a tensor lacks one while others have one, or one does not match.</exception>
    public static void Verify(SafeFileHandle file, string path, SafeTensorsHeader header, long dataStart)
    {
        var entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in header.Metadata)
        {
            if (!IsChecksum(key))
            {
                continue;
            }

            string name = key[Prefix.Length..];
            if (!entries.ContainsKey(name))
            {
                throw Corrupt(path, $"the metadata has a checksum for '{name}', but the file has no such tensor");
            }

            if (value.Length != 64 || !value.All(char.IsAsciiHexDigitLower))
            {
                throw Corrupt(path, $"the checksum of tensor '{name}' is not 64 lowercase hex digits");
            }

            expected.Add(name, value);
        }

        if (expected.Count > 0 && entries.Keys.FirstOrDefault(name => !expected.ContainsKey(name)) is { } missing)
        {
            throw Corrupt(path, $"tensor '{missing}' has no checksum although the file's other tensors have one (its '{Prefix}{missing}' entry is missing or damaged)");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            foreach (var (name, checksum) in expected)
            {
                var entry = entries[name];
                using var hash = Begin(name, entry.DType, entry.Shape);
                for (long at = entry.Begin; at < entry.End;)
                {
                    var chunk = buffer.AsSpan(0, (int)Math.Min(BufferBytes, entry.End - at));
                    TensorBytes.ReadExactly(file, path, dataStart + at, chunk);
                    hash.AppendData(chunk);
                    at += chunk.Length;
                }

                if (Convert.ToHexStringLower(hash.GetHashAndReset()) != checksum)
                {
                    throw Corrupt(path, $"tensor '{name}' ({entry.DType} {entry.Shape}) does not match its SHA-256 checksum: its bytes, dtype, shape or name changed after it was saved");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A hash that has taken the tensor's name and description (<c>NAME\0DTYPE[d0,d1,...]</c>), ready for its bytes.</summary>
    private static IncrementalHash Begin(string name, string dtype, Shape shape)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{name}\0{dtype}[{string.Join(",", shape)}]"));
        return hash;
    }

    private static InvalidDataException Corrupt(string path, string problem) =>
        new($"SafeTensors.Load('{path}'): {problem}. Nothing was loaded.");
}
