namespace TensorGrad.Tests.Core;

/// <summary>A fresh directory under the system temp folder, deleted with its contents on Dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("tensorgrad-io-").FullName;

    /// <summary>The path of <paramref name="name"/> inside the directory.</summary>
    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>The names of the files now in the directory, sorted.</summary>
    public string[] FileNames() => [.. Directory.EnumerateFileSystemEntries(Root).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
