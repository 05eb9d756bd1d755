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
        ExpectSuccess(2, ["equivalence", mode], $"{mode}, 50 steps on 2 ranks vs 1 process", times: 2);
    }

    [Theory]
    [InlineData("ilgpu-cpu")]
    [InlineData("opencl")]
    public void OnTheGpuBackendTheGradientsAreAveragedThroughHostMemory(string device)
    {
        GpuDevices.RequireOrSkip(Device.Parse(device));

        ExpectSuccess(2, ["equivalence", "adam", device], "adam, 50 steps on 2 ranks vs 1 process", times: 2);
    }

    [Fact]
    public void TheSamplersShardsCoverEveryIndexOncePerEpoch()
    {
        ExpectSuccess(2, ["sampler"], "1000 of 1000 indices visited exactly once over 2 ranks", times: 6);
    }

    [Fact]
    public void ARankZeroCheckpointResumesOnOneAndOnTwoRanks()
    {
        using var directory = new TempDirectory();
        var save = MpiJob.Run(2, ["checkpoint-save", directory.Root], Limit);
        Assert.True(save.ExitCode == 0, save.Output);
        Assert.Equal(["step10.safetensors", "step20.safetensors"], directory.FileNames());

        ExpectSuccess(0, ["checkpoint-resume", directory.Root], "resumed at step 10 on 1 rank(s)", times: 1);
        ExpectSuccess(2, ["checkpoint-resume", directory.Root], "resumed at step 10 on 2 rank(s)", times: 2);
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

    /// <summary>Runs a scenario that must succeed and print <paramref name="line"/> <paramref name="times"/> times (once per rank, or per rank and epoch).</summary>
    private static void ExpectSuccess(int ranks, string[] arguments, string line, int times)
    {
        var job = MpiJob.Run(ranks, arguments, Limit);

        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal(times, Count(job.Output, line));
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
