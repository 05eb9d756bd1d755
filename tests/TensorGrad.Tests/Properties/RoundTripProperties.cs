using CsCheck;
using TensorGrad.Data;
using TensorGrad.IO;
using TensorGrad.Nn;

namespace TensorGrad.Tests.Properties;

/// <summary>Random tensors, images and models written and read back bit for bit.</summary>
public sealed class RoundTripProperties : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Safetensors_files_round_trip_names_shapes_dtypes_and_bits()
    {
        var tensor = Gen.Select(Gen.Int[0, 3].SelectMany(rank => Gen.Int[0, 4].Array[rank]), Gen.Bool, Gen.Int[0, 1000]);
        var files = Gen.Select(Gen.String[Gen.Char["abc.é_0"], 1, 6].Array[0, 5].Select(n => n.Distinct().ToArray()), tensor.Array[5], Gen.String[Gen.Char.AlphaNumeric, 0, 8]);
        files.Sample((names, tensors, note) =>
        {
            var made = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                var (shape, wide, seed) = tensors[i];
                made.Add(names[i], Tensor.Randn(new Shape(shape), seed, Device.Cpu, wide ? DType.Float64 : DType.Float32));
            }

            string path = temp.PathOf($"{Guid.NewGuid():N}.safetensors");
            SafeTensors.Save(path, made, new Dictionary<string, string> { ["note"] = note });
            using var file = SafeTensors.Load(path);
            Assert.Equal(made.Keys, file.Tensors.Keys);
            Assert.Equal(note, file.Metadata["note"]);
            foreach (var (name, original) in made)
            {
                var read = file.Tensors[name];
                Assert.Equal(original.Shape, read.Shape);
                Assert.Equal(original.DType, read.DType);
                Assert.Equal(original.ToDoubleArray(), read.ToDoubleArray());
                original.Dispose();
            }

            File.Delete(path);
        }, iter: Budget.Iterations, threads: 1);
    }

    [Fact]
    public void Idx_files_round_trip_dimensions_and_bytes()
    {
        Gen.Select(Gen.Int[1, 3].SelectMany(rank => Gen.Int[0, 5].Array[rank]), Gen.Bool, Gen.Int[0, 1000]).Sample((dimensions, compressed, seed) =>
        {
            var random = new Random(seed);
            float[] values = [.. Enumerable.Range(0, (int)new Shape(dimensions).Size).Select(_ => (float)random.Next(256))];
            string path = temp.PathOf($"{Guid.NewGuid():N}{(compressed ? ".gz" : "")}");
            IdxFile.Write(path, dimensions, values);
            var read = IdxFile.Read(path);
            Assert.Equal(dimensions, read.Dimensions);
            Assert.Equal(values, read.Values);
            File.Delete(path);
        }, iter: Budget.Iterations, threads: 1);
    }

    [Fact]
    public void Checkpoints_round_trip_models_of_random_widths()
    {
        Gen.Select(Gen.Int[1, 6], Gen.Int[1, 6], Gen.Int[1, 4], Gen.Int[0, 1000], Gen.Int[0, 50]).Sample((inputs, hidden, outputs, seed, epoch) =>
        {
            var model = new Sequential { new Linear(inputs, hidden, seed: seed), new Tanh(), new Linear(hidden, outputs, seed: seed + 1) };
            var copy = new Sequential { new Linear(inputs, hidden, seed: seed + 2), new Tanh(), new Linear(hidden, outputs, seed: seed + 3) };
            string path = temp.PathOf($"{Guid.NewGuid():N}.ckpt");
            Checkpoint.Save(path, model, epoch: epoch);
            Assert.Equal(epoch, Checkpoint.Load(path, copy).Epoch);
            Assert.Equal(model.Parameters().Select(p => p.ToArray()), copy.Parameters().Select(p => p.ToArray()));
            File.Delete(path);
        }, iter: Budget.Iterations, threads: 1);
    }
}
