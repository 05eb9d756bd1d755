using TensorGrad.Data;
using TensorGrad.IO;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Data;

/// <summary>A run stopped after epoch k and resumed from its checkpoint ends with the same weights as an uninterrupted run.</summary>
public sealed class ResumeTests : IDisposable
{
    private const int Epochs = 4;
    private const int StepsPerEpoch = 6;
    private readonly TempDirectory temp = new();
    private readonly InMemoryDataset data = new(
        [.. Enumerable.Range(0, 48 * 3).Select(i => MathF.Sin(i * 0.37f))], [3],
        [.. Enumerable.Range(0, 48).Select(i => (float)(i % 4))]);

    public void Dispose() => temp.Dispose();

    private static (Sequential Model, Adam Optimizer, WarmupCosine Schedule) Setup()
    {
        var model = new Sequential(new Linear(3, 16, seed: 1), new Tanh(), new Linear(16, 4, seed: 2));
        var adam = new AdamW(model.Parameters(), lr: 0.05);
        return (model, adam, new WarmupCosine(adam, warmupSteps: 3, totalSteps: Epochs * StepsPerEpoch));
    }

    private static void Train(DataLoader loader, Sequential model, Adam adam, WarmupCosine schedule, int epochs)
    {
        while (loader.Epoch < epochs)
        {
            foreach (var (x, y) in loader)
            {
                using var tape = Tape.Begin();
                var loss = Loss.CrossEntropy(model.Forward(x), y);
                adam.ZeroGrad();
                loss.Backward();
                adam.Step();
                schedule.Step();
            }
        }
    }

    [Fact]
    public void Resuming_at_epoch_two_with_shuffling_and_a_schedule_matches_the_uninterrupted_run()
    {
        var (model, adam, schedule) = Setup();
        using (var loader = new DataLoader(data, batchSize: 8, shuffle: true, seed: 5))
        {
            Train(loader, model, adam, schedule, Epochs);
        }

        var path = temp.PathOf("epoch2.safetensors");
        var (first, firstAdam, firstSchedule) = Setup();
        using (var loader = new DataLoader(data, batchSize: 8, shuffle: true, seed: 5))
        {
            Train(loader, first, firstAdam, firstSchedule, 2);
            Checkpoint.Save(path, first, firstAdam, epoch: loader.Epoch);
        }

        var (resumed, resumedAdam, resumedSchedule) = Setup();
        var info = Checkpoint.Load(path, resumed, resumedAdam);
        resumedSchedule.StepCount = resumedAdam.StepCount;
        using (var loader = new DataLoader(data, batchSize: 8, shuffle: true, seed: 5) { Epoch = info.Epoch })
        {
            Train(loader, resumed, resumedAdam, resumedSchedule, Epochs);
        }

        Assert.Equal(2, info.Epoch);
        Assert.Equal(adam.LearningRate, resumedAdam.LearningRate);
        for (int i = 0; i < model.Parameters().Count; i++)
        {
            Assert.Equal(model.Parameters()[i].ToArray(), resumed.Parameters()[i].ToArray());
        }
    }
}
