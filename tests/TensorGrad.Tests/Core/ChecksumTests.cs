using TensorGrad.IO;
using TensorGrad.Nn;
using TensorGrad.Optim;
using static TensorGrad.Tests.Core.SafeTensorsTests;

namespace TensorGrad.Tests.Core;

/// <summary>TensorGrad's files carry a SHA-256 of each tensor's bytes, verified before anything is loaded.</summary>
public sealed class ChecksumTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Every_single_byte_flip_in_a_checkpoints_data_is_reported_and_the_model_is_left_unchanged()
    {
        string path = temp.PathOf("run.ckpt");
        var model = new Sequential { new Linear(4, 3, seed: 1), new ReLU(), new Linear(3, 2, seed: 2) };
        var optimizer = new Adam(model.Parameters());
        using (Tape.Begin())
        {
            Loss.Mse(model.Forward(Tensor.Ones([2, 4])), Tensor.Zeros([2, 2])).Backward();
        }

        optimizer.Step();
        Checkpoint.Save(path, model, optimizer, epoch: 1);
        byte[] original = File.ReadAllBytes(path);
        long dataStart = 8 + BitConverter.ToInt64(original, 0);
        var target = new Sequential { new Linear(4, 3, seed: 7), new ReLU(), new Linear(3, 2, seed: 8) };
        var before = target.Parameters().Select(p => p.ToArray()).ToList();

        for (long at = dataStart; at < original.Length; at++)
        {
            byte[] flipped = (byte[])original.Clone();
            flipped[at] ^= (byte)(1 << (int)(at % 8));
            File.WriteAllBytes(path, flipped);

            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, target, new Adam(target.Parameters())));
            Assert.Contains("does not match its SHA-256 checksum", e.Message);
        }

        Assert.Equal(before, target.Parameters().Select(p => p.ToArray()).ToList());
        File.WriteAllBytes(path, original);
        Checkpoint.Load(path, target, new Adam(target.Parameters()));
        Assert.Equal(model.Parameters().Select(p => p.ToArray()), target.Parameters().Select(p => p.ToArray()));
    }

    [Fact]
    public void The_checksum_names_the_tensor_whose_bytes_changed()
    {
        string path = temp.PathOf("two.safetensors");
        SafeTensors.Save(path, new OrderedDictionary<string, Tensor> { ["first"] = Tensor.FromArray([1f, 2], 2), ["second"] = Tensor.FromArray([3f], 1) });
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x80; // the last byte belongs to 'second'
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Equal($"SafeTensors.Load('{path}'): tensor 'second' (F32 [1]) does not match its SHA-256 checksum: its bytes, dtype, shape or name changed after it was saved. Nothing was loaded.", e.Message);
    }

    [Fact]
    public void Checksums_stay_out_of_the_loaded_metadata_and_their_keys_are_reserved()
    {
        string path = temp.PathOf("meta.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones([2]) }, new Dictionary<string, string> { ["note"] = "x" });

        using (var file = SafeTensors.Load(path))
        {
            Assert.Equal(["note"], file.Metadata.Keys);
        }

        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["tensorgrad.sha256.w"] = "0" }));
        Assert.Contains("reserved for the tensors' checksums", e.Message);
    }

    [Theory]
    [InlineData("tensorgrad.sha256.b", "0000000000000000000000000000000000000000000000000000000000000000", "the metadata has a checksum for 'b', but the file has no such tensor")]
    [InlineData("tensorgrad.sha256.a", "abc", "the checksum of tensor 'a' is not 64 lowercase hex digits")]
    public void Malformed_checksum_entries_are_reported(string key, string value, string problem)
    {
        string path = temp.PathOf("bad.safetensors");
        File.WriteAllBytes(path, FileBytes($$$"""{"__metadata__":{"{{{key}}}":"{{{value}}}"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", Floats(1, 2)));

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void The_checksum_covers_the_shape_of_an_empty_tensor()
    {
        string path = temp.PathOf("empty.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["e"] = Tensor.Zeros([0, 3]) });
        Replace(path, "\"shape\":[0,3]", "\"shape\":[0,8]"); // a valid header still: an empty tensor takes no bytes either way

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("tensor 'e' (F32 [0, 8]) does not match its SHA-256 checksum", e.Message);
    }

    [Fact]
    public void The_checksum_covers_the_name_so_renaming_a_tensor_and_its_checksum_entry_is_caught()
    {
        string path = temp.PathOf("renamed.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["wa"] = Tensor.Ones([2]) });
        Replace(path, "wa\"", "wb\""); // in the tensor's entry and in its checksum key

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("tensor 'wb' (F32 [2]) does not match its SHA-256 checksum", e.Message);
    }

    [Fact]
    public void A_tensor_without_a_checksum_in_a_file_with_checksums_is_reported()
    {
        // One flipped bit in a checksum key's prefix must not leave that tensor unchecked.
        string path = temp.PathOf("partial.safetensors");
        SafeTensors.Save(path, new OrderedDictionary<string, Tensor> { ["a"] = Tensor.Ones([2]), ["b"] = Tensor.Ones([1]) });
        Replace(path, "tensorgrad.sha256.b", "tensorgrad/sha256.b");

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("tensor 'b' has no checksum although the file's other tensors have one", e.Message);
    }

    [Fact]
    public void Files_without_checksums_load_as_before()
    {
        string path = temp.PathOf("plain.safetensors");
        File.WriteAllBytes(path, FileBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", Floats(1.5f, -2)));

        using var file = SafeTensors.Load(path);
        Assert.Equal([1.5f, -2], file.Tensors["a"].ToArray());
    }

    /// <summary>Replaces every occurrence of <paramref name="text"/> in the file with <paramref name="replacement"/> of the same length, byte for byte.</summary>
    private static void Replace(string path, string text, string replacement)
    {
        Assert.Equal(text.Length, replacement.Length);
        string bytes = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
        Assert.Contains(text, bytes);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(bytes.Replace(text, replacement, StringComparison.Ordinal)));
    }
}
