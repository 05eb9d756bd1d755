using TensorGrad.Data;

namespace TensorGrad.Tests.Data;

public sealed class MnistTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The repository's bundled sample, found from the test's working directory upwards.</summary>
    private static string SampleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "mnist-sample");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("data/mnist-sample was not found above the test binaries.");
    }

    [Fact]
    public void The_bundled_sample_loads_as_8000_and_2000_scaled_digits_of_every_class()
    {
        var data = Mnist.Load(SampleDirectory());
        Assert.Equal(8000, data.Train.Count);
        Assert.Equal(2000, data.Test.Count);
        Assert.Equal(new Shape(784), data.Train.SampleShape);
        var pixels = Enumerable.Range(0, 100).SelectMany(i => data.Train.Sample(i).ToArray()).ToArray();
        Assert.Equal(0, pixels.Min());
        Assert.Equal(1, pixels.Max());
        var labels = Enumerable.Range(0, data.Test.Count).Select(i => data.Test.Target(i)[0]).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i).ToHashSet(), labels);
    }

    [Fact]
    public void Normalization_uses_mnist_mean_and_deviation()
    {
        var raw = Mnist.Load(SampleDirectory()).Train.Sample(0).ToArray();
        var normalized = Mnist.Load(SampleDirectory(), normalize: true).Train.Sample(0).ToArray();
        for (int i = 0; i < raw.Length; i++)
        {
            Assert.Equal((raw[i] - Mnist.Mean) / Mnist.StandardDeviation, normalized[i], 4);
        }
    }

    [Fact]
    public void The_usual_file_spellings_are_found_plain_or_compressed()
    {
        IdxFile.Write(temp.PathOf("train-images.idx3-ubyte"), [2, 2, 2], [0, 255, 0, 255, 255, 0, 255, 0]);
        IdxFile.Write(temp.PathOf("train-labels.idx1-ubyte"), [2], [3, 4]);
        IdxFile.Write(temp.PathOf("t10k-images-idx3-ubyte.gz"), [1, 2, 2], [0, 0, 0, 255]);
        IdxFile.Write(temp.PathOf("t10k-labels-idx1-ubyte.gz"), [1], [9]);
        var data = Mnist.Load(temp.Root);
        Assert.Equal(new Shape(4), data.Train.SampleShape);
        Assert.Equal([0f, 1, 0, 1], data.Train.Sample(0).ToArray());
        Assert.Equal(4, data.Train.Target(1)[0]);
        Assert.Equal(9, data.Test.Target(0)[0]);
    }

    [Fact]
    public void Mismatched_or_missing_files_are_reported_by_name()
    {
        IdxFile.Write(temp.PathOf("train-images-idx3-ubyte"), [2, 1, 1], [0, 255]);
        IdxFile.Write(temp.PathOf("train-labels-idx1-ubyte"), [3], [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.LoadSplit(temp.PathOf("train-images-idx3-ubyte"), temp.PathOf("train-labels-idx1-ubyte")));
        Assert.Contains("train-labels-idx1-ubyte' have dimensions [3] but the images", e.Message);
        Assert.Contains("hold 2 items", e.Message);

        IdxFile.Write(temp.PathOf("train-labels-idx1-ubyte"), [2], [1, 2]);
        var missing = Assert.Throws<FileNotFoundException>(() => Mnist.Load(temp.Root));
        Assert.Contains("no t10k images file", missing.Message);
        Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load(temp.PathOf("absent")));
    }
}
