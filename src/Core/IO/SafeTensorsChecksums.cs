using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace TensorGrad.IO;

/// <summary>
/// SHA-256 checksums of each tensor's bytes, which TensorGrad keeps in the safetensors
/// <c>__metadata__</c> as <c>tensorgrad.sha256.NAME</c> (lowercase hex). Loading verifies every
/// checksum a file has before it makes any tensor, so a changed byte is reported instead of
/// loaded; files without checksums (other tools' safetensors) load as before. Other readers
/// ignore the entries.
/// </summary>
internal static class SafeTensorsChecksums
{
    /// <summary>The metadata key prefix; keys with it are reserved.</summary>
    public const string Prefix = "tensorgrad.sha256.";

    private const int BufferBytes = 1 << 20;

    /// <summary>True for a metadata key that holds a checksum.</summary>
    public static bool IsChecksum(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The metadata entry holding the checksum of <paramref name="tensor"/>'s bytes under <paramref name="name"/>.</summary>
    public static KeyValuePair<string, string> Entry(string name, Tensor tensor) =>
        new(Prefix + name, Convert.ToHexStringLower(TensorBytes.Sha256(tensor)));

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

    /// <summary>Checks each tensor's bytes in the file against its checksum, where the file has one.</summary>
    /// <exception cref="InvalidDataException">A checksum names no tensor, is malformed, or does not match.</exception>
    public static void Verify(SafeFileHandle file, string path, SafeTensorsHeader header, long dataStart)
    {
        var entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            foreach (var (key, expected) in header.Metadata)
            {
                if (!IsChecksum(key))
                {
                    continue;
                }

                string name = key[Prefix.Length..];
                if (!entries.TryGetValue(name, out var entry))
                {
                    throw Corrupt(path, $"the metadata has a checksum for '{name}', but the file has no such tensor");
                }

                if (expected.Length != 64 || !expected.All(char.IsAsciiHexDigitLower))
                {
                    throw Corrupt(path, $"the checksum of tensor '{name}' is not 64 lowercase hex digits");
                }

                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (long at = entry.Begin; at < entry.End;)
                {
                    var chunk = buffer.AsSpan(0, (int)Math.Min(BufferBytes, entry.End - at));
                    TensorBytes.ReadExactly(file, path, dataStart + at, chunk);
                    hash.AppendData(chunk);
                    at += chunk.Length;
                }

                if (Convert.ToHexStringLower(hash.GetHashAndReset()) != expected)
                {
                    throw Corrupt(path, $"tensor '{name}' {entry.Shape} does not match its SHA-256 checksum: its bytes changed after it was saved");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static InvalidDataException Corrupt(string path, string problem) =>
        new($"SafeTensors.Load('{path}'): {problem}. Nothing was loaded.");
}
