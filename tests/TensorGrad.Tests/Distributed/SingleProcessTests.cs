using TensorGrad.Data;
using TensorGrad.Distributed;
using TensorGrad.Nn;

namespace TensorGrad.Tests.Distributed;

/// <summary>The distributed API in a process not started by mpirun: a group of one, and the parts that need no MPI.</summary>
public sealed class SingleProcessTests
{
    [Fact]
    public void WithoutMpirunTheGroupIsOneProcessWhoseCollectivesKeepTheirInput()
    {
        var group = ProcessGroup.Init();
        float[] values = [1, 2, 3];
        group.AllReduce(values.AsSpan(), ReduceOperation.Max);
        group.Broadcast(values.AsSpan());
        using var request = group.AllReduceAsync(values.AsMemory());

        Assert.Same(group, ProcessGroup.Init());
        Assert.Equal((0, 1, true, false), (group.Rank, group.Size, group.IsMain, group.UsesMpi));
        Assert.True(request.IsCompleted);
        Assert.Equal([1f, 2, 3], values);
    }

    [Fact]
    public void OneProcessDataParallelKeepsGradientsAndPrefixesTheStateDictionary()
    {
        var model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
        using var ddp = new DistributedDataParallel(model);
        using (var tape = Tape.Begin())
        {
            ddp.Forward(Tensor.FromArray([1f, -2, 3], 1, 3)).Sum().Backward();
        }

        var expected = model.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        ddp.SyncGradients();

        Assert.Equal(["module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias"], ddp.StateDict().Keys);
        Assert.Equal(expected, model.Parameters().Select(p => p.Grad!.ToArray()));
        Assert.Empty(ddp.Buckets);
    }

    [Fact]
    public void DataParallelRefusesAModelWhoseOptimizerStepsInTheBackwardPass()
    {
        var model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
        var optimizer = new TensorGrad.Optim.Sgd(model.Parameters(), lr: 0.1);
        using (optimizer.StepInBackward())
        {
            var error = Assert.Throws<InvalidOperationException>(() => new DistributedDataParallel(model));
            Assert.Contains("StepInBackward", error.Message);
        }

        using var ddp = new DistributedDataParallel(model);
        Assert.Same(model, ddp.Module);
    }

    [Fact]
    public void BucketsFollowTheBackwardOrderAndSplitAtTheCapAndAtDtypeChanges()
    {
        var a = Tensor.Zeros(Shape.Create([100]));
        var b = Tensor.Zeros(Shape.Create([100]));
        var c = Tensor.Zeros(Shape.Create([300]));
        var d = Tensor.Zeros(Shape.Create([10]), dtype: DType.Float64);
        var e = Tensor.Zeros(Shape.Create([10]), dtype: DType.Float64);
        foreach (var t in (Tensor[])[a, b, c, d, e])
        {
            t.RequiresGrad = true;
        }

        var buckets = DistributedDataParallel.Bucket([a, b, c, d, e], capBytes: 1000);

        Assert.Equal([[e, d], [c], [b, a]], buckets);
    }

    [Theory]
    [InlineData(10, 3, false, new[] { 4, 4, 4 })]
    [InlineData(10, 3, true, new[] { 3, 3, 3 })]
    [InlineData(9, 3, false, new[] { 3, 3, 3 })]
    public void EachRankGetsTheSameCountAndTogetherTheyCoverTheDataset(int count, int ranks, bool dropLast, int[] perRank)
    {
        var shards = Enumerable.Range(0, ranks).Select(r =>
        {
            var sampler = new DistributedSampler(count, r, ranks, seed: 11, dropLast: dropLast);
            var indices = new int[sampler.Count];
            sampler.Fill(epoch: 2, indices);
            return indices;
        }).ToList();
        var all = shards.SelectMany(s => s).ToList();

        Assert.Equal(perRank, shards.Select(s => s.Length));
        Assert.Equal(dropLast ? all.Count : count, all.Distinct().Count());
        Assert.All(all, i => Assert.InRange(i, 0, count - 1));
    }

    [Fact]
    public void OneRanksShuffledShardIsTheShuffledDataLoadersOrder()
    {
        var permutation = new int[50];
        Sampler.Order(permutation, shuffle: true, seed: 4, epoch: 1);
        var sampler = new DistributedSampler(50, rank: 0, size: 1, seed: 4);
        var indices = new int[50];
        sampler.Fill(1, indices);

        Assert.Equal(permutation, indices);
        Assert.NotEqual(Enumerable.Range(0, 50), indices);
    }

    [Fact]
    public void ADataLoaderWithASamplerVisitsOnlyItsIndicesInItsOrder()
    {
        var features = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var dataset = new InMemoryDataset(features, Shape.Create([1]), features, Shape.Create([1]));
        using var loader = new DataLoader(dataset, batchSize: 3, sampler: new DistributedSampler(10, rank: 1, size: 2, shuffle: false));
        var seen = loader.SelectMany(batch => batch.Features.ToArray()).ToList();

        Assert.Equal(2, loader.BatchCount);
        Assert.Equal([1f, 3, 5, 7, 9], seen);
        Assert.Throws<ArgumentException>(() => new DataLoader(dataset, 3, shuffle: true, sampler: new DistributedSampler(10, 0, 2)));
    }

    [Fact]
    public void SamplerArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, rank: 2, size: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, rank: 0, size: 0));
        Assert.Throws<ArgumentException>(() => new DistributedSampler(1, rank: 0, size: 2, dropLast: true));
    }
}
