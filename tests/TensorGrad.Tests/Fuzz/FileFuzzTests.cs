using TensorGrad.Data;
using TensorGrad.IO;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Fuzz;

/// <summary>
/// Mutants of valid safetensors, checkpoint and IDX files (<see cref="Mutator"/>) fed to the
/// loaders: each must load a file equal to a valid one or be refused with
/// <see cref="InvalidDataException"/>, <see cref="ArgumentException"/> or (an unsupported dtype)
/// <see cref="NotSupportedException"/> and a message, and a refused checkpoint changes nothing.
/// CI runs <see cref="Mutator.Budget"/> mutants per format; set <c>TENSORGRAD_FUZZ_MUTANTS</c>
/// to run more (e.g. 1000000 overnight).
/// </summary>
public sealed class FileFuzzTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Every_safetensors_mutant_loads_the_saved_tensors_exactly_or_is_refused()
    {
        var tensors = new OrderedDictionary<string, Tensor>
        {
            ["a"] = Tensor.Randn([3, 4], 1),
            ["b"] = Tensor.Randn([5], 2, dtype: DType.Float64),
            ["empty"] = Tensor.Zeros([0, 3]),
            ["layer.0.weight"] = Tensor.Randn([2, 2, 2], 3),
        };
        byte[] valid = Saved("valid.safetensors", path => SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["note"] = "fuzz" }));
        byte[] other = Saved("other.safetensors", path => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Ones([7]) }));

        Fuzz(valid, other, [(0, 8, false)], seed: 11, path =>
        {
            using var file = SafeTensors.Load(path);
            Assert.Equal(tensors.Keys, file.Tensors.Keys);
            foreach (var (name, tensor) in tensors)
            {
                Assert.Equal(tensor.Shape, file.Tensors[name].Shape);
                Assert.Equal(tensor.DType, file.Tensors[name].DType);
                Assert.Equal(tensor.ToDoubleArray(), file.Tensors[name].ToDoubleArray());
            }
        });
    }

    [Fact]
    public void Every_checkpoint_mutant_restores_the_saved_model_or_is_refused_and_changes_nothing()
    {
        var model = Model(1);
        var optimizer = new Adam(model.Parameters());
        using (Tape.Begin())
        {
            Loss.CrossEntropy(model.Forward(Tensor.Randn([4, 6], 5)), Tensor.FromArray([0f, 1, 2, 1], 4)).Backward();
        }

        optimizer.Step();
        byte[] valid = Saved("valid.ckpt", path => Checkpoint.Save(path, model, optimizer, epoch: 3));
        byte[] other = Saved("other.ckpt", path => Checkpoint.SaveModel(path, Model(2)));
        var saved = model.Parameters().Select(p => p.ToArray()).ToList();
        var target = Model(9);
        var targetOptimizer = new Adam(target.Parameters());

        Fuzz(valid, other, [(0, 8, false)], seed: 12, path =>
        {
            var before = target.Parameters().Select(p => p.ToArray()).ToList();
            try
            {
                Checkpoint.Load(path, target, targetOptimizer);
            }
            catch
            {
                Assert.Equal(before, target.Parameters().Select(p => p.ToArray()).ToList());
                throw;
            }

            Assert.Equal(saved, target.Parameters().Select(p => p.ToArray()).ToList());
        });
    }

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void Every_idx_mutant_reads_as_a_consistent_file_or_is_refused(string name)
    {
        var random = new Random(4);
        float[] values = [.. Enumerable.Range(0, 5 * 4 * 3).Select(_ => (float)random.Next(256))];
        byte[] valid = Saved(name, path => IdxFile.Write(path, [5, 4, 3], values));
        byte[] other = Saved("labels-" + name, path => IdxFile.Write(path, [9], [.. Enumerable.Range(0, 9).Select(i => (float)i)]));

        Fuzz(valid, other, [(4, 4, true), (8, 4, true), (12, 4, true)], seed: name.Length, path =>
        {
            var read = IdxFile.Read(path);
            Assert.All(read.Dimensions, d => Assert.True(d >= 0));
            Assert.Equal(read.Dimensions.Aggregate(1L, (n, d) => n * d), read.Values.Length);
            Assert.All(read.Values, v => Assert.True(float.IsFinite(v)));
        });
    }

    private static Sequential Model(int seed) => [new Linear(6, 5, seed: seed), new ReLU(), new Linear(5, 3, seed: seed + 1)];

    private byte[] Saved(string name, Action<string> save)
    {
        string path = temp.PathOf(name);
        save(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>Feeds <see cref="Mutator.Budget"/> mutants to <paramref name="load"/>, which asserts what a successful load must give.</summary>
    private void Fuzz(byte[] valid, byte[] other, IReadOnlyList<(int, int, bool)> lengthFields, int seed, Action<string> load)
    {
        var mutator = new Mutator(seed);
        string path = temp.PathOf("mutant");
        var failures = new List<string>();
        int refused = 0;
        for (int i = 0; i < Mutator.Budget && failures.Count < 5; i++)
        {
            var (bytes, how) = mutator.Mutate(valid, other, lengthFields);
            File.WriteAllBytes(path, bytes);
            try
            {
                load(path);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException && e.Message.Length > 0)
            {
                refused++;
            }
            catch (Exception e)
            {
                failures.Add($"mutant {i} (seed {seed}: {how}): {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(refused > Mutator.Budget / 4, $"only {refused} of {Mutator.Budget} mutants were refused: the mutator hardly changes the files");
    }
}
