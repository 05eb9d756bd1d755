using TensorGrad.Distributed;
using TensorGrad.IO;

namespace DistributedWorker;

internal static class Scenarios
{
    private const int Steps = 50;
    private const double Tolerance = 1e-5;

    /// <summary>
    /// Each rank starts from a different initialization (rank 0's must win), trains on its part of
    /// every global batch, and must end where one process training on whole batches ends.
    /// </summary>
    public static bool Equivalence(ProcessGroup group, string mode)
    {
        string optimizerName = mode == "adam" ? "adam" : "sgd";
        int microBatches = mode == "nosync" ? 2 : 1;
        var replica = Problem.Model(seed: 100 + group.Rank);
        using var ddp = new DistributedDataParallel(replica, group);
        var optimizer = Problem.Optimizer(optimizerName, ddp);
        for (int step = 0; step < Steps; step++)
        {
            Problem.Step(ddp, optimizer, step, group.Rank, group.Size, microBatches, ddp.NoSync);
        }

        var alone = Problem.Model(seed: 100);
        var aloneOptimizer = Problem.Optimizer(optimizerName, alone);
        for (int step = 0; step < Steps; step++)
        {
            Problem.Step(alone, aloneOptimizer, step, 0, 1, microBatches);
        }

        double difference = Problem.RelativeDifference(replica, alone);
        Console.WriteLine($"rank {group.Rank}: {mode}, {Steps} steps on {group.Size} ranks vs 1 process: relative difference {difference:E2}");
        return difference <= Tolerance && Problem.RelativeDifference(alone, Problem.Model(seed: 100)) > 0.01;
    }

    /// <summary>Counts, over all ranks, how often each index is visited in an epoch: exactly once each.</summary>
    public static bool Sampler(ProcessGroup group)
    {
        const int count = 1000;
        var sampler = new DistributedSampler(count, group, seed: 3);
        var indices = new int[sampler.Count];
        bool ok = true;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var visits = new int[count];
            sampler.Fill(epoch, indices);
            foreach (int i in indices)
            {
                visits[i]++;
            }

            group.AllReduce(visits.AsSpan());
            int once = visits.Count(v => v == 1);
            Console.WriteLine($"rank {group.Rank}: epoch {epoch}: {sampler.Count} samples here, {once} of {count} indices visited exactly once over {group.Size} ranks");
            ok &= once == count;
        }

        return ok;
    }

    /// <summary>Trains 10 steps, saves a checkpoint from rank 0, trains 10 more and saves the final weights from rank 0.</summary>
    public static bool CheckpointSave(ProcessGroup group, string directory)
    {
        var ddp = new DistributedDataParallel(Problem.Model(seed: 5), group);
        var optimizer = Problem.Optimizer("adam", ddp);
        for (int step = 0; step < 20; step++)
        {
            if (step == 10 && group.IsMain)
            {
                Checkpoint.Save(Path.Combine(directory, "step10.safetensors"), ddp.Module, optimizer, epoch: step);
            }

            Problem.Step(ddp, optimizer, step, group.Rank, group.Size);
        }

        if (group.IsMain)
        {
            Checkpoint.SaveModel(Path.Combine(directory, "step20.safetensors"), ddp.Module);
        }

        group.Barrier();
        return true;
    }

    /// <summary>Every rank loads rank 0's checkpoint, trains steps 10 to 19 and compares with the uninterrupted run.</summary>
    public static bool CheckpointResume(ProcessGroup group, string directory)
    {
        var model = Problem.Model(seed: 99);
        var optimizer = Problem.Optimizer("adam", model);
        var info = Checkpoint.Load(Path.Combine(directory, "step10.safetensors"), model, optimizer);
        using var ddp = new DistributedDataParallel(model, group);
        for (int step = info.Epoch; step < 20; step++)
        {
            Problem.Step(ddp, optimizer, step, group.Rank, group.Size);
        }

        var uninterrupted = Problem.Model(seed: 98);
        Checkpoint.LoadModel(Path.Combine(directory, "step20.safetensors"), uninterrupted);
        double difference = Problem.RelativeDifference(model, uninterrupted);
        Console.WriteLine($"rank {group.Rank}: resumed at step {info.Epoch} on {group.Size} rank(s): relative difference to the uninterrupted run {difference:E2}");
        return info.Epoch == 10 && difference <= Tolerance;
    }

    /// <summary>Rank 1 builds 17 hidden units instead of 16: construction must throw on every rank, naming rank 1.</summary>
    public static bool Mismatch(ProcessGroup group)
    {
        try
        {
            using var ddp = new DistributedDataParallel(Problem.Model(seed: 1, hidden: group.Rank == 1 ? 17 : 16), group);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"rank {group.Rank}: {e.Message}");
            return e.Message.Contains("rank 1 differs", StringComparison.Ordinal);
        }

        Console.WriteLine($"rank {group.Rank}: no error");
        return false;
    }

    /// <summary>Rank 1 throws an unhandled exception at step 5; the job must end instead of rank 0 waiting forever.</summary>
    public static bool Abort(ProcessGroup group)
    {
        var ddp = new DistributedDataParallel(Problem.Model(seed: 1), group);
        var optimizer = Problem.Optimizer("sgd", ddp);
        for (int step = 0; step < 1_000_000; step++)
        {
            if (step == 5 && group.Rank == 1)
            {
                throw new InvalidOperationException("a failure on rank 1 at step 5");
            }

            Problem.Step(ddp, optimizer, step, group.Rank, group.Size);
        }

        return false;
    }
}
