using TensorGrad.Data;

namespace TensorGrad.Tests.Data;

public sealed class DataLoaderTests
{
    /// <summary>Ten samples of two features (i, -i) with target i.</summary>
    private static InMemoryDataset Numbers(int count = 10) => new(
        [.. Enumerable.Range(0, count).SelectMany(i => new[] { (float)i, -i })],
        [2],
        [.. Enumerable.Range(0, count).Select(i => (float)i)]);

    private static List<float[]> Epoch(DataLoader loader) => [.. loader.Select(b => b.Targets.ToArray())];

    [Fact]
    public void Batches_cover_the_dataset_in_order_with_a_smaller_last_batch()
    {
        using var loader = new DataLoader(Numbers(), batchSize: 4);
        Assert.Equal(3, loader.BatchCount);
        var shapes = new List<Shape>();
        var seen = new List<float>();
        foreach (var (x, y) in loader)
        {
            shapes.Add(x.Shape);
            var features = x.ToArray();
            var targets = y.ToArray();
            for (int r = 0; r < targets.Length; r++)
            {
                Assert.Equal([targets[r], -targets[r]], features[(2 * r)..((2 * r) + 2)]);
            }

            seen.AddRange(targets);
        }

        Assert.Equal([new Shape(4, 2), new Shape(4, 2), new Shape(2, 2)], shapes);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), seen);
    }

    [Fact]
    public void Drop_last_skips_the_partial_batch()
    {
        using var loader = new DataLoader(Numbers(), batchSize: 4, dropLast: true);
        Assert.Equal(2, loader.BatchCount);
        Assert.Equal(8, Epoch(loader).Sum(b => b.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Shuffling_gives_a_new_permutation_each_epoch_reproducible_from_seed_and_epoch(bool prefetch)
    {
        using var loader = new DataLoader(Numbers(50), batchSize: 8, shuffle: true, seed: 3, prefetch: prefetch);
        var first = Epoch(loader).SelectMany(b => b).ToArray();
        var second = Epoch(loader).SelectMany(b => b).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), first.Order());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), second.Order());
        Assert.NotEqual(first, second);

        // A new loader with the same seed repeats the sequence; one set to epoch 1 resumes it.
        using var again = new DataLoader(Numbers(50), batchSize: 8, shuffle: true, seed: 3);
        Assert.Equal(first, Epoch(again).SelectMany(b => b));
        using var resumed = new DataLoader(Numbers(50), batchSize: 8, shuffle: true, seed: 3) { Epoch = 1 };
        Assert.Equal(second, Epoch(resumed).SelectMany(b => b));

        using var otherSeed = new DataLoader(Numbers(50), batchSize: 8, shuffle: true, seed: 4);
        Assert.NotEqual(first, Epoch(otherSeed).SelectMany(b => b));
    }

    [Fact]
    public void Batch_tensors_are_reused_and_a_steady_epoch_allocates_nothing_per_batch()
    {
        using var loader = new DataLoader(Numbers(64), batchSize: 8, shuffle: true);
        var tensors = new HashSet<Tensor>();
        foreach (var (x, _) in loader)
        {
            tensors.Add(x);
        }

        Assert.Single(tensors);
        using var epoch = loader.GetEnumerator();
        epoch.MoveNext();
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (epoch.MoveNext())
        {
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Only_one_epoch_runs_at_a_time_and_bad_settings_are_rejected()
    {
        using var loader = new DataLoader(Numbers(), batchSize: 4);
        using (var epoch = loader.GetEnumerator())
        {
            var e = Assert.Throws<InvalidOperationException>(loader.GetEnumerator);
            Assert.Contains("already being enumerated", e.Message);
        }

        Assert.Equal(3, Epoch(loader).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbers(), batchSize: 0));
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new float[6], [2], new float[2]));
    }
}
