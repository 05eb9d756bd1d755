using TensorGrad.IO;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Core;

/// <summary>Training checkpoints (model + optimizer, all or nothing) and PyTorch-compatible state dictionaries.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly Tensor x = Tensor.Rand([16, 4], new Random(3), -1, 1);
    private readonly Tensor y = Tensor.Rand([16, 1], new Random(4), -1, 1);

    public void Dispose() => temp.Dispose();

    private static Sequential Model(int seed, int hidden = 8) =>
        new(new Linear(4, hidden, seed: seed), new ReLU(), new Linear(hidden, 1, seed: seed + 1));

    private void Train(Module model, Optimizer optimizer, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            using var tape = Tape.Begin();
            var loss = Loss.Mse(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
    }

    private static int[][] Bits(IEnumerable<Tensor> tensors) => [.. tensors.Select(t => t.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray())];

    private static int[][] Moments(Adam adam) =>
        Bits(Enumerable.Range(0, adam.Parameters.Count).SelectMany(i => new[] { adam.FirstMoment(i)!, adam.SecondMoment(i)! }));

    [Fact]
    public void Resuming_from_a_checkpoint_continues_bit_identically()
    {
        var uninterrupted = Model(1);
        Train(uninterrupted, new Adam(uninterrupted.Parameters(), lr: 0.01), 5 + 4);

        string path = temp.PathOf("run.ckpt");
        var first = Model(1);
        var firstAdam = new Adam(first.Parameters(), lr: 0.01);
        Train(first, firstAdam, 5);
        Checkpoint.Save(path, first, firstAdam, epoch: 5, metadata: new Dictionary<string, string> { ["note"] = "k=5" });

        var resumed = Model(7);
        var resumedAdam = new Adam(resumed.Parameters(), lr: 0.5);
        var info = Checkpoint.Load(path, resumed, resumedAdam);
        Assert.Equal(5, info.Epoch);
        Assert.Equal(new Dictionary<string, string> { ["note"] = "k=5" }, info.Metadata);
        Assert.Equal(0.01, resumedAdam.LearningRate);
        Assert.Equal(5, resumedAdam.StepCount);
        Assert.Equal(Bits(first.Parameters()), Bits(resumed.Parameters()));

        Train(resumed, resumedAdam, 4);
        Assert.Equal(Bits(uninterrupted.Parameters()), Bits(resumed.Parameters()));
    }

    [Fact]
    public void A_checkpoint_holds_prefixed_tensors_and_the_optimizer_scalars_as_metadata()
    {
        string path = temp.PathOf("layout.ckpt");
        var model = Model(1);
        var adam = new Adam(model.Parameters(), lr: 0.1 / 3);
        Train(model, adam, 2);
        Checkpoint.Save(path, model, adam, epoch: 3);

        using var file = SafeTensors.Load(path);
        Assert.Equal(
            ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias",
             "optimizer.0.exp_avg", "optimizer.0.exp_avg_sq", "optimizer.1.exp_avg", "optimizer.1.exp_avg_sq",
             "optimizer.2.exp_avg", "optimizer.2.exp_avg_sq", "optimizer.3.exp_avg", "optimizer.3.exp_avg_sq"],
            file.Tensors.Keys);
        Assert.Equal("tensorgrad.checkpoint/1", file.Metadata["format"]);
        Assert.Equal("3", file.Metadata["epoch"]);
        Assert.Equal("Adam", file.Metadata["optimizer"]);
        Assert.Equal(0.1 / 3, double.Parse(file.Metadata["optimizer.lr"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2", file.Metadata["optimizer.step_count"]);
        Assert.Equal("2,2,2,2", file.Metadata["optimizer.parameter_steps"]);
    }

    [Fact]
    public void A_checkpoint_of_other_shapes_is_refused_and_changes_neither_model_nor_optimizer()
    {
        string path = temp.PathOf("small.ckpt");
        var small = Model(1);
        var smallAdam = new Adam(small.Parameters(), lr: 0.01);
        Train(small, smallAdam, 2);
        Checkpoint.Save(path, small, smallAdam);

        var wide = Model(3, hidden: 16);
        var wideAdam = new Adam(wide.Parameters(), lr: 0.02);
        Train(wide, wideAdam, 1);
        var (weights, moments) = (Bits(wide.Parameters()), Moments(wideAdam));

        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(path, wide, wideAdam));
        Assert.Contains($"Checkpoint.Load('{path}'): the checkpoint does not fit Sequential:", e.Message);
        Assert.Contains("'model.0.weight' is [8, 4] in the file but [16, 4] in the model", e.Message);
        Assert.Contains("'model.2.weight' is [1, 8] in the file but [1, 16] in the model", e.Message);
        Assert.Equal(weights, Bits(wide.Parameters()));
        Assert.Equal(moments, Moments(wideAdam));
        Assert.Equal((0.02, 1), (wideAdam.LearningRate, wideAdam.StepCount));
    }

    [Fact]
    public void An_optimizer_state_that_does_not_fit_leaves_the_model_unchanged_too()
    {
        string path = temp.PathOf("sgd.ckpt");
        var trained = Model(1);
        var sgd = new Sgd(trained.Parameters(), lr: 0.1, momentum: 0.9);
        Train(trained, sgd, 2);
        Checkpoint.Save(path, trained, sgd);

        var model = Model(5);
        var adam = new Adam(model.Parameters(), lr: 0.01);
        Train(model, adam, 1);
        var (weights, moments) = (Bits(model.Parameters()), Moments(adam));

        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(path, model, adam));
        Assert.Contains($"Checkpoint.Load('{path}'): the checkpoint does not fit the optimizer: Adam.LoadState: the state is from Sgd", e.Message);
        Assert.Equal(weights, Bits(model.Parameters()));
        Assert.Equal(moments, Moments(adam));

        var bare = temp.PathOf("bare.ckpt");
        Checkpoint.Save(bare, trained);
        e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(bare, model, adam));
        Assert.Contains($"Checkpoint.Load('{bare}'): the checkpoint was saved without optimizer state", e.Message);
        Assert.Equal(weights, Bits(model.Parameters()));

        Assert.Equal(0, Checkpoint.Load(bare, model).Epoch);
        Assert.Equal(Bits(trained.Parameters()), Bits(model.Parameters()));
    }

    [Theory]
    [InlineData("epoch")]
    [InlineData("format")]
    [InlineData("optimizer")]
    [InlineData("optimizer.lr")]
    public void Metadata_keys_the_format_uses_are_rejected(string key)
    {
        string path = temp.PathOf("reserved.ckpt");
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, Model(1), metadata: new Dictionary<string, string> { [key] = "1" }));
        Assert.Contains($"the metadata keys '{key}' are reserved by the checkpoint format", e.Message);
        Assert.Empty(temp.FileNames());
    }

    [Fact]
    public void SaveModel_writes_pytorch_state_dict_names_and_LoadModel_reads_them()
    {
        string path = temp.PathOf("model.safetensors");
        var model = Model(1);
        Checkpoint.SaveModel(path, model);
        using (var file = SafeTensors.Load(path))
        {
            Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], file.Tensors.Keys);
            Assert.Equal([new Shape(8, 4), new Shape(8), new Shape(1, 8), new Shape(1)], file.Tensors.Values.Select(t => t.Shape));
            Assert.Empty(file.Metadata);
        }

        var copy = Model(9);
        Checkpoint.LoadModel(path, copy);
        Assert.Equal(Bits(model.Parameters()), Bits(copy.Parameters()));

        var wide = Model(2, hidden: 16);
        var before = Bits(wide.Parameters());
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.LoadModel(path, wide));
        Assert.Contains($"Checkpoint.LoadModel('{path}'): LoadStateDict into Sequential: '0.weight' is [8, 4] in the state dictionary but [16, 4] in the model", e.Message);
        Assert.Equal(before, Bits(wide.Parameters()));
    }

    [Fact]
    public void Checkpoints_and_plain_state_dictionaries_are_not_confused()
    {
        string plain = temp.PathOf("plain.safetensors");
        string checkpoint = temp.PathOf("train.ckpt");
        var model = Model(1);
        Checkpoint.SaveModel(plain, model);
        Checkpoint.Save(checkpoint, model);

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(plain, model));
        Assert.Contains($"Checkpoint.Load('{plain}'): the file has no 'format' metadata, not 'tensorgrad.checkpoint/1'", e.Message);
        Assert.Contains("Checkpoint.LoadModel", e.Message);

        var e2 = Assert.Throws<ArgumentException>(() => Checkpoint.LoadModel(checkpoint, model));
        Assert.Contains($"Checkpoint.LoadModel('{checkpoint}'): the file is a training checkpoint", e2.Message);
    }
}
