using System.Diagnostics;
using TensorGrad.Data;
using TensorGrad.Distributed;
using TensorGrad.Examples.Common;

namespace MnistExample;

/// <summary>One training run from settings to report: data, epochs, checkpoints, final results, plot.</summary>
internal static class Run
{
    /// <summary>Test-set evaluation batch size (no gradients, so large batches are cheap).</summary>
    private const int EvaluationBatch = 1000;

    /// <summary>Trains as <paramref name="settings"/> say; returns the process exit code.</summary>
    public static int Execute(Settings settings)
    {
        var wall = Stopwatch.StartNew();
        MnistData data;
        try
        {
            data = DataSet.Load(settings.DataDirectory);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot load MNIST from '{settings.DataDirectory}': {e.Message}");
            return 1;
        }

        var train = Augment.WithShiftedCopies(data.Train, settings.ShiftedCopies, Augment.MaxShift, settings.Seed);

        // Data-parallel: each rank trains on its shard of every epoch's order with an equal part of
        // the batch, so the global batch and the steps per epoch are those of a single process.
        using var group = settings.Distributed ? ProcessGroup.Init() : null;
        int ranks = group?.Size ?? 1;
        if (settings.BatchSize % ranks != 0)
        {
            Console.Error.WriteLine($"error: --batch-size {settings.BatchSize} does not split evenly over {ranks} ranks.");
            return 2;
        }

        if (group is { IsMain: false })
        {
            Console.SetOut(TextWriter.Null); // rank 0 reports for the job
        }

        var sampler = group is null ? null : new DistributedSampler(train.Count, group, seed: settings.Seed);
        using var trainLoader = new DataLoader(train, settings.BatchSize / ranks, shuffle: sampler is null, seed: settings.Seed, device: settings.Device, prefetch: true, sampler: sampler);
        using var testLoader = new DataLoader(data.Test, EvaluationBatch, device: settings.Device);
        using var training = new Training(settings, trainLoader.BatchCount, group);
        Display.Header(settings, data.Train.Count, data.Test.Count, train.Count, training.ParameterCount, ranks);
        var history = new List<EpochResult>();
        int start = 0;
        if (settings.ResumePath is { } resumePath)
        {
            try
            {
                (start, history) = Checkpoints.Resume(resumePath, training, settings);
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"error: --resume {resumePath}: {e.Message}");
                return 1;
            }

            trainLoader.Epoch = start;
            Console.WriteLine(start < settings.Epochs
                ? $"resumed from {resumePath} after epoch {start}"
                : $"{resumePath} is already at epoch {start} (--epochs {settings.Epochs}): nothing to train; evaluating it");
        }

        var trained = new List<EpochResult>();
        for (int epoch = start + 1; epoch <= settings.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var (loss, accuracy, samples, seconds) = Display.Epoch(epoch, settings.Epochs, trainLoader.BatchCount, report => training.TrainEpoch(trainLoader, report));
            var (testLoss, matrix) = training.Evaluate(testLoader);
            var result = new EpochResult(epoch, loss, accuracy, testLoss, matrix.Accuracy, samples / seconds, clock.Elapsed.TotalSeconds, samples, seconds);
            history.Add(result);
            trained.Add(result);
            Display.EpochLine(result, settings.Epochs);
            if (settings.CheckpointPath is { } checkpointPath && (group?.IsMain ?? true))
            {
                try
                {
                    Checkpoints.Save(checkpointPath, training, settings, epoch, history);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"error: --checkpoint {checkpointPath}: cannot save after epoch {epoch}: {e.Message}");
                    return 1;
                }
            }
        }

        var (finalLoss, finalMatrix) = training.Evaluate(testLoader);
        Report.TestResults(finalMatrix, finalLoss);
        Report.Throughput(trained, settings, wall.Elapsed);
        if (group is { IsMain: false })
        {
            return settings.ExpectedAccuracy is { } floor && finalMatrix.Accuracy < floor ? 3 : 0;
        }

        if (settings.PlotPath is { } plotPath && history.Count > 0)
        {
            string? problem = Plot.TrySave(history, settings, plotPath);
            Console.WriteLine(problem is null
                ? $"training curves written to {Path.GetFullPath(plotPath)}"
                : $"warning: could not write the plot {plotPath} ({problem}); the results above are complete.");
        }

        if (settings.OnnxPath is { } onnxPath)
        {
            double onnxAccuracy = OnnxCheck.ExportAndEvaluate(training.Model, data.Test, settings.Device, onnxPath);
            Console.WriteLine($"ONNX model written to {Path.GetFullPath(onnxPath)}; ONNX Runtime's test accuracy {Display.Percent(onnxAccuracy)} (TensorGrad: {Display.Percent(finalMatrix.Accuracy)})");
            if (onnxAccuracy != finalMatrix.Accuracy)
            {
                Console.Error.WriteLine("error: ONNX Runtime's test accuracy differs from TensorGrad's.");
                return 3;
            }
        }

        if (settings.ExpectedAccuracy is { } expected && finalMatrix.Accuracy < expected)
        {
            Console.Error.WriteLine($"error: the test accuracy {Display.Percent(finalMatrix.Accuracy)} is below the expected {Display.Percent(expected)}.");
            return 3;
        }

        return 0;
    }
}
