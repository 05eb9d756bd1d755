using TensorGrad.Tests.Gpu;

namespace TensorGrad.Tests.Distributed;

/// <summary>Data-parallel training on two MPI processes (tests/DistributedWorker's scenarios).</summary>
[Collection(SerialCollection.Name)]
public sealed class MpiJobTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("nosync")]
    public void TwoRanksWithHalfBatchesEndWithTheWeightsOfOneProcessWithWholeBatches(string mode)
    {
        var job = MpiJob.Run(2, ["equivalence", mode], Limit);

        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal(2, Count(job.Output, $"{mode}, 50 steps on 2 ranks vs 1 process"));
    }

    [Theory]
    [InlineData("ilgpu-cpu")]
    [InlineData("opencl")]
    public void OnTheGpuBackendTheGradientsAreAveragedThroughHostMemory(string device)
    {
        GpuDevices.RequireOrSkip(Device.Parse(device));

        var job = MpiJob.Run(2, ["equivalence", "adam", device], Limit);

        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal(2, Count(job.Output, "adam, 50 steps on 2 ranks vs 1 process"));
    }

    [Fact]
    public void TheSamplersShardsCoverEveryIndexOncePerEpoch()
    {
        var job = MpiJob.Run(2, ["sampler"], Limit);

        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal(6, Count(job.Output, "1000 of 1000 indices visited exactly once over 2 ranks"));
    }

    [Fact]
    public void ARankZeroCheckpointResumesOnOneAndOnTwoRanks()
    {
        using var directory = new TempDirectory();
        var save = MpiJob.Run(2, ["checkpoint-save", directory.Root], Limit);
        Assert.True(save.ExitCode == 0, save.Output);
        Assert.Equal(["step10.safetensors", "step20.safetensors"], directory.FileNames());

        var alone = MpiJob.Run(0, ["checkpoint-resume", directory.Root], Limit);
        var two = MpiJob.Run(2, ["checkpoint-resume", directory.Root], Limit);

        Assert.True(alone.ExitCode == 0, alone.Output);
        Assert.Contains("resumed at step 10 on 1 rank(s)", alone.Output, StringComparison.Ordinal);
        Assert.True(two.ExitCode == 0, two.Output);
        Assert.Equal(2, Count(two.Output, "resumed at step 10 on 2 rank(s)"));
    }

    [Fact]
    public void ADifferentArchitectureOnOneRankIsAnErrorOnEveryRank()
    {
        var job = MpiJob.Run(2, ["mismatch"], Limit);

        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Contains("rank 1: DistributedDataParallel on rank 1 of 2: the model on rank 1 differs from rank 0's (here entry 0 is parameter '0.weight' [17, 8]", job.Output, StringComparison.Ordinal);
        Assert.Contains("rank 0: DistributedDataParallel on rank 0 of 2: the model on rank 1 differs from rank 0's (see their messages)", job.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExceptionOnOneRankEndsTheWholeJobWithItsMessage()
    {
        var job = MpiJob.Run(2, ["abort"], TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, job.ExitCode);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(30), $"{job.Elapsed}");
        Assert.Contains("rank 1 of 2: unhandled System.InvalidOperationException: a failure on rank 1 at step 5", job.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AProcessStartedByALauncherWithoutOpenMpiSaysHowToInstallIt()
    {
        var job = MpiJob.Run(0, ["sampler"], Limit, new Dictionary<string, string>
        {
            ["OMPI_COMM_WORLD_SIZE"] = "2",
            ["TENSORGRAD_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40",
        });

        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("/nonexistent/libmpi.so.40 (Open MPI) could not be loaded; install Open MPI: apt-get install openmpi-bin", job.Output, StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
