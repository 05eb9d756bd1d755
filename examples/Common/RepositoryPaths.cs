namespace TensorGrad.Examples.Common;

/// <summary>Finds the repository's folders from wherever an example is started.</summary>
public static class RepositoryPaths
{
    /// <summary>The bundled MNIST sample, relative to the repository root.</summary>
    public static readonly string MnistSampleRelative = Path.Combine("data", "mnist-sample");

    /// <summary>
    /// The directory <paramref name="relative"/> under the current directory or one of its
    /// parents, else under the directory of the program or one of its parents; null when neither has it.
    /// </summary>
    public static string? FindUp(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The bundled sample (data/mnist-sample, found as <see cref="FindUp"/> does), or null.</summary>
    public static string? FindMnistSample() => FindUp(MnistSampleRelative);

    /// <summary>
    /// The repository's docs/ folder: the one beside the data/ that holds the MNIST sample, or
    /// null when the sample is not found (the folder may not exist yet).
    /// </summary>
    public static string? FindDocs()
    {
        string? sample = FindMnistSample();
        string? root = sample is null ? null : Directory.GetParent(sample)?.Parent?.FullName;
        return root is null ? null : Path.Combine(root, "docs");
    }
}
