using System.Diagnostics;
using TensorGrad.IO;

namespace TensorGrad.Tests.Core;

/// <summary>Saves write a temporary file tied to their target, remove it on failure, and clean up what killed saves left.</summary>
public sealed class AtomicSaveTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_temporary_file_is_named_after_the_target_and_the_writer_and_is_gone_after_a_failed_write()
    {
        string path = temp.PathOf("model.safetensors");
        File.WriteAllText(path, "old");
        string[] during = [];

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            during = temp.FileNames();
            throw new InvalidOperationException("writer failed");
        }));

        Assert.Equal(["model.safetensors", $"model.safetensors.tmp-{Environment.ProcessId}-"], during.Select(n => n.EndsWith("safetensors", StringComparison.Ordinal) ? n : n[..n.LastIndexOf('-')] + "-"));
        Assert.Equal(["model.safetensors"], temp.FileNames());
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void A_save_removes_what_killed_saves_of_the_same_target_left_and_nothing_else()
    {
        int dead = ExitedProcessId();
        string[] leftovers = [$"model.ckpt.tmp-{dead}-1", $"model.ckpt.tmp-{dead}-7"];
        string[] kept = [$"other.ckpt.tmp-{dead}-1", "model.ckpt.tmp-1-1", "model.ckpt.tmp-notes"];
        foreach (string name in leftovers.Concat(kept))
        {
            File.WriteAllBytes(temp.PathOf(name), new byte[100]);
        }

        Checkpoint.SaveModel(temp.PathOf("model.ckpt"), new Nn.Linear(2, 2, seed: 1));

        Assert.Equal([.. kept.Append("model.ckpt").Order(StringComparer.Ordinal)], temp.FileNames());
    }

    [Fact]
    public void Saving_into_a_missing_directory_names_the_target_and_the_directory()
    {
        string path = temp.PathOf(Path.Combine("missing", "model.safetensors"));

        var e = Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.SaveModel(path, new Nn.Linear(2, 2, seed: 1)));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains($"'{Path.GetDirectoryName(path)}' does not exist", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }

    [Fact]
    public void Loading_a_directory_says_it_is_a_directory()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Load(temp.Root));
        Assert.Contains($"'{temp.Root}' is a directory", e.Message);
    }

    /// <summary>The id of a process that has run and exited (so no process has it unless the id was reused since).</summary>
    private static int ExitedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
