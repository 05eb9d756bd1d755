using System.Globalization;
using TensorGrad.IO;

namespace MnistExample;

/// <summary>
/// --checkpoint and --resume: the model, the optimizer, the epoch, the hyperparameters and the
/// per-epoch history in one safetensors file, so a resumed run continues exactly where the
/// saved one stopped (the shuffle order and the learning rate depend only on the seed and the step).
/// </summary>
internal static class Checkpoints
{
    private const string Prefix = "mnist.";
    private const string HistoryKey = Prefix + "history";

    /// <summary>Saves the state after <paramref name="epoch"/>; <paramref name="history"/> is every epoch so far.</summary>
    public static void Save(string path, Training training, Settings settings, int epoch, IReadOnlyList<EpochResult> history)
    {
        var metadata = settings.Hyperparameters.ToDictionary(item => Prefix + item.Key, item => item.Value);
        metadata[HistoryKey] = string.Join(";", history.Select(Format));
        Checkpoint.Save(path, training.Model, training.Optimizer, epoch, metadata);
    }

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> and returns the saved epoch
    /// and history. Throws <see cref="InvalidDataException"/> with a message for the user when the
    /// file cannot be read or does not fit the model and optimizer of <paramref name="settings"/>.
    /// </summary>
    public static (int Epoch, List<EpochResult> History) Resume(string path, Training training, Settings settings)
    {
        IReadOnlyDictionary<string, string> saved;
        try
        {
            using (var file = SafeTensors.Load(path))
            {
                saved = file.Metadata.ToDictionary();
            }

            CheckArchitecture(saved, settings);
            var info = Checkpoint.Load(path, training.Model, training.Optimizer);
            training.FastForwardSchedule();
            WarnAboutChangedSettings(info.Metadata, settings);
            return (info.Epoch, Parse(info.Metadata.GetValueOrDefault(HistoryKey)));
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static void CheckArchitecture(IReadOnlyDictionary<string, string> saved, Settings settings)
    {
        if (saved.TryGetValue(Prefix + "architecture", out string? architecture) && architecture != settings.Architecture)
        {
            string hidden = string.Join(',', architecture.Split('-')[1..^1]);
            throw new InvalidDataException($"the checkpoint holds a {architecture} model but --hidden makes {settings.Architecture}; resume with --hidden \"{hidden}\".");
        }

        if (saved.TryGetValue(Prefix + "optimizer", out string? optimizer) && optimizer != settings.Optimizer)
        {
            throw new InvalidDataException($"the checkpoint was trained with {optimizer}; resume with --optimizer {optimizer}.");
        }
    }

    private static void WarnAboutChangedSettings(IReadOnlyDictionary<string, string> saved, Settings settings)
    {
        foreach (var (key, value) in settings.Hyperparameters)
        {
            if (saved.TryGetValue(Prefix + key, out string? old) && old != value)
            {
                Console.WriteLine($"warning: the checkpoint was trained with {key} {old}, this run uses {value}; the result will differ from an uninterrupted run.");
            }
        }
    }

    private static string Format(EpochResult r) => string.Join(",", new double[]
    {
        r.Epoch, r.TrainLoss, r.TrainAccuracy, r.TestLoss, r.TestAccuracy, r.SamplesPerSecond, r.Seconds, r.Samples, r.TrainSeconds,
    }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static List<EpochResult> Parse(string? text)
    {
        var history = new List<EpochResult>();
        foreach (var entry in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            double[] v = [.. entry.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture))];
            if (v.Length == 9)
            {
                history.Add(new EpochResult((int)v[0], v[1], v[2], v[3], v[4], v[5], v[6], (int)v[7], v[8]));
            }
        }

        return history;
    }
}
