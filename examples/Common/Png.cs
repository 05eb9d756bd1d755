namespace TensorGrad.Examples.Common;

/// <summary>Writes images so that a failure to draw never loses a program's results.</summary>
public static class Png
{
    /// <summary>
    /// Selects the bundled font, creates the folder of <paramref name="path"/> and calls
    /// <paramref name="save"/> with it. Returns null on success, else why the image could not be
    /// made (no native Skia library, an unwritable folder, ...), for the caller to print as a warning.
    /// </summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="save">Draws and saves the image to the path it is given.</param>
    public static string? TrySave(string path, Action<string> save)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(save);
        try
        {
            BundledFonts.Use();
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            save(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException or InvalidOperationException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>The line to print after <see cref="TrySave"/>: where the image went, or a warning.</summary>
    /// <param name="path">The PNG.</param>
    /// <param name="problem">What <see cref="TrySave"/> returned.</param>
    /// <param name="what">What the image shows, e.g. "training curves".</param>
    public static string Outcome(string path, string? problem, string what) => problem is null
        ? $"{what} written to {Path.GetFullPath(path)}"
        : $"warning: could not write the plot {path} ({problem}); the results above are complete.";
}
