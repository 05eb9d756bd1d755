namespace TensorGrad.Data;

/// <summary>The train and test splits of an MNIST-format dataset.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split.</param>
public sealed record MnistData(InMemoryDataset Train, InMemoryDataset Test);

/// <summary>
/// Loads MNIST, Fashion-MNIST or any dataset in their layout from a directory of IDX files.
/// Samples are flattened to [rows·columns] and scaled to [0, 1]; targets are class ids.
/// </summary>
public static class Mnist
{
    /// <summary>Mean pixel value of the MNIST training set after scaling to [0, 1].</summary>
    public const float Mean = 0.1307f;

    /// <summary>Standard deviation of the MNIST training set's pixels after scaling to [0, 1].</summary>
    public const float StandardDeviation = 0.3081f;

    /// <summary>
    /// Loads both splits from <paramref name="directory"/>, which holds <c>train-images-idx3-ubyte</c>,
    /// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>,
    /// each possibly gzip-compressed (<c>.gz</c>) or spelled <c>train-images.idx3-ubyte</c>.
    /// With <paramref name="normalize"/>, pixels are standardized with MNIST's
    /// <see cref="Mean"/> and <see cref="StandardDeviation"/> after scaling.
    /// </summary>
    public static MnistData Load(string directory, bool normalize = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Mnist.Load: the directory '{directory}' does not exist.");
        }

        return new MnistData(LoadNamedSplit(directory, "train", normalize), LoadNamedSplit(directory, "t10k", normalize));
    }

    /// <summary>Loads one split from an images file [count, rows, columns] and a labels file [count].</summary>
    public static InMemoryDataset LoadSplit(string imagesPath, string labelsPath, bool normalize = false)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Length != 3)
        {
            throw new InvalidDataException($"MNIST images '{imagesPath}' have dimensions [{string.Join(", ", images.Dimensions)}]; expected [count, rows, columns].");
        }

        if (labels.Dimensions.Length != 1 || labels.Dimensions[0] != images.Dimensions[0])
        {
            throw new InvalidDataException($"MNIST labels '{labelsPath}' have dimensions [{string.Join(", ", labels.Dimensions)}] but the images '{imagesPath}' hold {images.Dimensions[0]} items; the counts must match.");
        }

        int bad = Array.FindIndex(labels.Values, v => v < 0 || v != MathF.Floor(v));
        if (bad >= 0)
        {
            throw new InvalidDataException($"MNIST labels '{labelsPath}': label {bad} is {labels.Values[bad]}, not a class id.");
        }

        var pixels = images.Values;
        float scale = 1f / 255, shift = 0;
        if (normalize)
        {
            scale /= StandardDeviation;
            shift = -Mean / StandardDeviation;
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (pixels[i] * scale) + shift;
        }

        return new InMemoryDataset(pixels, [images.Dimensions[1] * images.Dimensions[2]], labels.Values);
    }

    private static InMemoryDataset LoadNamedSplit(string directory, string split, bool normalize) =>
        LoadSplit(Find(directory, split, "images", "idx3"), Find(directory, split, "labels", "idx1"), normalize);

    private static string Find(string directory, string split, string kind, string idx)
    {
        string[] names = [$"{split}-{kind}-{idx}-ubyte", $"{split}-{kind}.{idx}-ubyte"];
        foreach (var name in names)
        {
            foreach (var candidate in new[] { name, name + ".gz" })
            {
                var path = Path.Combine(directory, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new FileNotFoundException($"Mnist.Load: no {split} {kind} file in '{directory}' (looked for {string.Join(", ", names.SelectMany(n => new[] { n, n + ".gz" }))}).");
    }
}
