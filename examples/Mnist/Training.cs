using System.Diagnostics;
using TensorGrad;
using TensorGrad.Data;
using TensorGrad.Distributed;
using TensorGrad.Metrics;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace MnistExample;

/// <summary>Progress within an epoch, reported after each batch.</summary>
/// <param name="Batch">Batches done (1-based).</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Loss">Mean training loss so far this epoch.</param>
/// <param name="Accuracy">Training accuracy so far this epoch.</param>
/// <param name="SamplesPerSecond">Training throughput so far this epoch.</param>
internal readonly record struct BatchProgress(int Batch, int Batches, double Loss, double Accuracy, double SamplesPerSecond);

/// <summary>The result of one epoch: training statistics and the evaluation on the test split.</summary>
internal sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double SamplesPerSecond, double Seconds, int Samples, double TrainSeconds);

/// <summary>An MLP or CNN classifier for MNIST with its optimizer: builds them, trains an epoch, evaluates.</summary>
internal sealed class Training : IDisposable
{
    private readonly Optimizer optimizer;
    private readonly LRScheduler schedule;
    private readonly bool useGraph;

    // With --step-in-backward: the optimizer's hold on the backward pass (then Step() is not called).
    private readonly IDisposable? inBackward;

    // With --distributed: the model wrapped for data-parallel training (gradients averaged over the ranks).
    private readonly DistributedDataParallel? parallel;

    // With --graph: the step captured on the first full batch, and the input tensors it reads.
    private KernelGraph? graph;
    private Tensor? graphImages;
    private Tensor? graphLabels;

    /// <summary>Builds the model (<see cref="Mlp"/> or <see cref="Cnn"/>) and its optimizer from <paramref name="settings"/>.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="stepsPerEpoch">Optimizer steps per epoch (batches), for the learning-rate schedule.</param>
    /// <param name="group">The ranks of a data-parallel run, or null to train alone.</param>
    public Training(Settings settings, int stepsPerEpoch, ProcessGroup? group = null)
    {
        useGraph = settings.Graph;
        Init.ManualSeed(settings.Seed);
        Model = settings.Model == "cnn" ? Cnn(settings) : Mlp(settings);
        parallel = group is null ? null : new DistributedDataParallel(Model, group);
        Network = parallel ?? (Module)Model;
        optimizer = settings.Optimizer == "sgd"
            ? new Sgd(Model.Parameters(), lr: settings.LearningRate, momentum: 0.9)
            : new Adam(Model.Parameters(), lr: settings.LearningRate);
        inBackward = settings.StepInBackward ? optimizer.StepInBackward() : null;

        // The rate decays by 0.7 after each epoch, as in PyTorch's MNIST example. The schedule does
        // not depend on the number of epochs, so a run resumed after k epochs matches one that never stopped.
        schedule = new StepLR(optimizer, stepSize: stepsPerEpoch, gamma: LearningRateDecay);
    }

    /// <summary>The CNN's layers as text.</summary>
    public const string CnnArchitecture = "1x28x28-conv5x5x32-pool2-conv5x5x64-pool2-1024-128-10";

    /// <summary>
    /// The MLP: 784-hidden…-10, each hidden Linear followed by the chosen normalization, ReLU and dropout.
    /// </summary>
    private static Sequential Mlp(Settings settings)
    {
        var model = new Sequential();
        int inputs = DataSet.Pixels;
        for (int layer = 0; layer < settings.Hidden.Length; layer++)
        {
            int width = settings.Hidden[layer];
            model.Add(new Linear(inputs, width, settings.Device));
            if (settings.Norm != "none")
            {
                model.Add(settings.Norm == "batch" ? new BatchNorm1d(width, device: settings.Device) : new LayerNorm(width, device: settings.Device));
            }

            model.Add(new ReLU());
            if (settings.Dropout > 0)
            {
                model.Add(new Dropout(settings.Dropout, seed: settings.Seed + layer));
            }

            inputs = width;
        }

        model.Add(new Linear(inputs, DataSet.Classes, settings.Device));
        return model;
    }

    /// <summary>
    /// A LeNet-style CNN (<see cref="CnnArchitecture"/>): two 5×5 convolutions with ReLU and 2×2
    /// max pooling, then a hidden Linear layer of 128 with ReLU and dropout.
    /// </summary>
    public static Sequential Cnn(Settings settings)
    {
        var device = settings.Device;
        return new Sequential(
            new Unflatten(1, 1, 28, 28),
            new Conv2d(1, 32, 5, device: device), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 5, device: device), new ReLU(), new MaxPool2d(2),
            new Flatten(),
            new Linear(64 * 4 * 4, 128, device), new ReLU(), new Dropout(settings.Dropout, seed: settings.Seed),
            new Linear(128, DataSet.Classes, device));
    }

    /// <summary>Factor applied to the learning rate after each epoch.</summary>
    public const double LearningRateDecay = 0.7;

    /// <summary>The network.</summary>
    public Sequential Model { get; }

    /// <summary>What the training step runs: <see cref="Model"/>, or its data-parallel wrapper.</summary>
    private Module Network { get; }

    /// <summary>The optimizer (its state goes into checkpoints).</summary>
    public Optimizer Optimizer => optimizer;

    /// <summary>Number of trainable values.</summary>
    public long ParameterCount => Model.Parameters().Sum(p => p.Size);

    /// <summary>
    /// Puts the learning-rate schedule where it is after <see cref="Optimizer.StepCount"/> steps
    /// (after loading an optimizer state on resume).
    /// </summary>
    public void FastForwardSchedule()
    {
        while (schedule.StepCount < optimizer.StepCount)
        {
            schedule.Step();
        }
    }

    /// <summary>Trains one epoch over <paramref name="loader"/>, reporting after each batch.</summary>
    /// <returns>Mean loss, accuracy, samples and seconds of the epoch.</returns>
    public (double Loss, double Accuracy, int Samples, double Seconds) TrainEpoch(DataLoader loader, Action<BatchProgress>? onBatch = null)
    {
        Network.Train();
        var matrix = new ConfusionMatrix(DataSet.Classes);
        double lossSum = 0;
        int samples = 0, batch = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (x, y) in loader)
        {
            // A replay needs no tape: the graph keeps its tensors. A short last batch runs eagerly.
            bool replay = useGraph && x.Shape[0] == loader.BatchSize;
            using var tape = replay ? null : Tape.Begin();
            var (loss, logits) = replay ? ReplayedStep(x, y) : EagerStep(x, y);
            if (inBackward is null)
            {
                optimizer.Step();
            }

            schedule.Step();

            int rows = x.Shape[0];
            lossSum += loss.Item() * rows;
            samples += rows;
            using (Tape.NoGrad())
            {
                matrix.Add(logits, y);
            }

            batch++;
            onBatch?.Invoke(new BatchProgress(batch, loader.BatchCount, lossSum / samples, matrix.Accuracy, samples / clock.Elapsed.TotalSeconds));
        }

        // Data-parallel: the epoch's figures over every rank's samples.
        Span<double> totals = [lossSum, matrix.Accuracy * samples, samples];
        parallel?.Group.AllReduce(totals);
        return (totals[0] / totals[2], totals[1] / totals[2], (int)totals[2], clock.Elapsed.TotalSeconds);
    }

    /// <summary>Forward, loss and backward on the tape.</summary>
    private (Tensor Loss, Tensor Logits) EagerStep(Tensor x, Tensor y)
    {
        var logits = Network.Forward(x);
        var loss = Loss.CrossEntropy(logits, y);
        optimizer.ZeroGrad();
        loss.Backward();
        return (loss, logits);
    }

    /// <summary>Forward, loss and backward replayed from the graph (captured on the first call) on a copy of the batch.</summary>
    private (Tensor Loss, Tensor Logits) ReplayedStep(Tensor x, Tensor y)
    {
        if (graph is null)
        {
            graphImages = x.Clone();
            graphLabels = y.Clone();
            optimizer.ZeroGrad();

            // A graph cannot capture the averaging over ranks (MPI calls on the host): it is left
            // out of the capture and done after each replay.
            using (parallel?.NoSync())
            {
                graph = KernelGraph.Capture(() =>
                {
                    var logits = Network.Forward(graphImages);
                    var loss = Loss.CrossEntropy(logits, graphLabels);
                    loss.Backward();
                    return [loss, logits];
                });
            }
        }
        else
        {
            graphImages!.CopyFrom(x);
            graphLabels!.CopyFrom(y);
            optimizer.ZeroGrad();
            graph.Replay();
        }

        parallel?.SyncGradients();

        return (graph.Outputs[0], graph.Outputs[1]);
    }

    /// <summary>Releases the captured graph and its inputs.</summary>
    public void Dispose()
    {
        graph?.Dispose();
        inBackward?.Dispose();
        graphImages?.Dispose();
        graphLabels?.Dispose();
        parallel?.Dispose();
    }

    /// <summary>Evaluates the model on every batch of <paramref name="loader"/> without recording gradients.</summary>
    /// <returns>The mean loss and the confusion matrix.</returns>
    public (double Loss, ConfusionMatrix Matrix) Evaluate(DataLoader loader)
    {
        Network.Eval();
        var matrix = new ConfusionMatrix(DataSet.Classes);
        double lossSum = 0;
        foreach (var (x, y) in loader)
        {
            using var tape = Tape.Begin(recordGradients: false);
            var logits = Model.Forward(x);
            lossSum += Loss.CrossEntropy(logits, y, Reduction.Sum).Item();
            matrix.Add(logits, y);
        }

        return (lossSum / matrix.Total, matrix);
    }
}
