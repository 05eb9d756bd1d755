using System.Buffers.Binary;

namespace TensorGrad.Tests.Fuzz;

/// <summary>
/// Makes mutants of valid files as a fuzzer does: bit flips, random bytes, truncations,
/// appended bytes, huge or negative length fields, and splices from another valid file. Each
/// mutant comes with a description that, with the seed, replays it.
/// </summary>
internal sealed class Mutator(int seed)
{
    private readonly Random random = new(seed);

    /// <summary>
    /// How many mutants each format gets: 3,000 by default (the CI budget), or
    /// <c>TENSORGRAD_FUZZ_MUTANTS</c> for a longer run.
    /// </summary>
    public static int Budget =>
        int.TryParse(Environment.GetEnvironmentVariable("TENSORGRAD_FUZZ_MUTANTS"), out int n) && n > 0 ? n : 3000;

    /// <summary>A mutant of <paramref name="file"/>; <paramref name="other"/> supplies splices. <paramref name="lengthFields"/> are offsets of 4- or 8-byte big/little-endian sizes worth aiming at.</summary>
    public (byte[] Bytes, string How) Mutate(byte[] file, byte[] other, IReadOnlyList<(int Offset, int Width, bool BigEndian)> lengthFields)
    {
        var bytes = (byte[])file.Clone();
        switch (random.Next(7))
        {
            case 0:
                {
                    int flips = random.Next(1, 9);
                    var at = Enumerable.Range(0, flips).Select(_ => random.Next(bytes.Length)).ToArray();
                    foreach (int i in at)
                    {
                        bytes[i] ^= (byte)(1 << random.Next(8));
                    }

                    return (bytes, $"flip bits at [{string.Join(", ", at)}]");
                }

            case 1:
                {
                    int i = random.Next(bytes.Length);
                    bytes[i] = (byte)random.Next(256);
                    return (bytes, $"byte {i} set to {bytes[i]}");
                }

            case 2:
                {
                    int length = random.Next(bytes.Length);
                    return (bytes[..length], $"truncated to {length} bytes");
                }

            case 3:
                {
                    var extra = new byte[random.Next(1, 64)];
                    random.NextBytes(extra);
                    return ([.. bytes, .. extra], $"{extra.Length} random bytes appended");
                }

            case 4 when lengthFields.Count > 0:
                {
                    var (offset, width, bigEndian) = lengthFields[random.Next(lengthFields.Count)];
                    if (offset + width > bytes.Length)
                    {
                        return (bytes, "unchanged");
                    }

                    ulong value = random.Next(4) switch
                    {
                        0 => ulong.MaxValue,
                        1 => (ulong)long.MaxValue,
                        2 => uint.MaxValue,
                        _ => (ulong)random.NextInt64(),
                    };
                    var span = bytes.AsSpan(offset, width);
                    if (width == 8)
                    {
                        if (bigEndian)
                        {
                            BinaryPrimitives.WriteUInt64BigEndian(span, value);
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt64LittleEndian(span, value);
                        }
                    }
                    else if (bigEndian)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value);
                    }

                    return (bytes, $"length field at {offset} set to {value}");
                }

            case 5:
                {
                    int start = random.Next(bytes.Length), length = random.Next(1, Math.Min(64, bytes.Length - start) + 1);
                    int from = random.Next(other.Length), take = Math.Min(random.Next(1, 64), other.Length - from);
                    return ([.. bytes[..start], .. other.AsSpan(from, take), .. bytes[(start + length)..]], $"bytes [{start}, {start + length}) replaced by the other file's [{from}, {from + take})");
                }

            default:
                {
                    int start = random.Next(bytes.Length), length = Math.Min(random.Next(1, 32), bytes.Length - start);
                    int to = random.Next(bytes.Length);
                    return ([.. bytes[..to], .. bytes.AsSpan(start, length), .. bytes[to..]], $"bytes [{start}, {start + length}) copied to {to}");
                }
        }
    }
}
