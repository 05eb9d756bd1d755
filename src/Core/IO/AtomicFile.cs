namespace TensorGrad.IO;

/// <summary>Replaces a file all at once: readers see the old file or the complete new one, never a partial write.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file in the directory of <paramref name="path"/>,
    /// flushes it to disk, then renames it over <paramref name="path"/>. If anything fails the
    /// temporary file is deleted and an existing file at <paramref name="path"/> is left untouched.
    /// </summary>
    public static void Write(string path, Action<FileStream> write)
    {
        string target = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        bool replaced = false;
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
            replaced = true;
        }
        finally
        {
            if (!replaced)
            {
                File.Delete(temp);
            }
        }
    }
}
