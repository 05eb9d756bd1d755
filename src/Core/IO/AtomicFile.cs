using System.Diagnostics;
using System.Globalization;

namespace TensorGrad.IO;

/// <summary>Replaces a file all at once: readers see the old file or the complete new one, never a partial write.</summary>
internal static class AtomicFile
{
    /// <summary>What separates a target's name from its temporary file's writer and sequence number.</summary>
    internal const string TempInfix = ".tmp-";

    private static int sequence;

    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file beside <paramref name="path"/> named
    /// <c>NAME.tmp-PID-N</c> (so a leftover is visibly tied to its target), flushes it to disk,
    /// then renames it over <paramref name="path"/>. If anything fails the temporary file is
    /// deleted and an existing file at <paramref name="path"/> is left untouched. Temporary files
    /// of the same target left by processes that no longer run (killed during a save) are deleted first.
    /// </summary>
    public static void Write(string path, Action<FileStream> write)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save '{target}': the directory '{directory}' does not exist.");
        }

        RemoveStale(target);
        string temp = $"{target}{TempInfix}{Environment.ProcessId}-{Interlocked.Increment(ref sequence)}";
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

    /// <summary>Deletes <c>target.tmp-PID-N</c> files whose process PID is no longer running.</summary>
    private static void RemoveStale(string target)
    {
        string prefix = Path.GetFileName(target) + TempInfix;
        foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(target)!, prefix + "*"))
        {
            string owner = Path.GetFileName(file)[prefix.Length..].Split('-')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !IsRunning(pid))
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another saver removed it first, or it is in use: leave it.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
