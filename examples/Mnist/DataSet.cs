using TensorGrad.Data;
using TensorGrad.Examples.Common;

namespace MnistExample;

/// <summary>Finds and loads the bundled MNIST sample.</summary>
internal static class DataSet
{
    /// <summary>Pixels per flattened 28×28 digit.</summary>
    public const int Pixels = 28 * 28;

    /// <summary>Digit classes 0-9.</summary>
    public const int Classes = 10;

    /// <summary>The repository's data directory, relative to its root.</summary>
    public static readonly string BundledRelativePath = RepositoryPaths.MnistSampleRelative;

    /// <summary>
    /// The bundled sample: data/mnist-sample under the current directory or one of its parents,
    /// else under the directory of the executable or one of its parents; null when neither has it.
    /// </summary>
    public static string? FindBundled() => RepositoryPaths.FindMnistSample();

    /// <summary>Loads both splits, pixels scaled to [0, 1] and standardized with MNIST's mean and deviation.</summary>
    public static MnistData Load(string directory)
    {
        var data = Mnist.Load(directory, normalize: true);
        if (data.Train.SampleShape.Size != Pixels || data.Test.SampleShape.Size != Pixels)
        {
            throw new InvalidDataException($"'{directory}' holds {data.Train.SampleShape} images; this example expects 28×28 digits ({Pixels} pixels).");
        }

        foreach (var (name, split) in new[] { ("train", data.Train), ("test", data.Test) })
        {
            for (int i = 0; i < split.Count; i++)
            {
                if (split.Target(i)[0] >= Classes)
                {
                    throw new InvalidDataException($"'{directory}': {name} label {i} is {split.Target(i)[0]}; digits are 0-{Classes - 1}.");
                }
            }
        }

        return data;
    }
}
