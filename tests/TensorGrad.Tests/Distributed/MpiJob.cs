using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TensorGrad.Tests.Distributed;

/// <summary>
/// Runs tests/DistributedWorker under <c>mpirun -np N</c>. Without Open MPI's mpirun the calling
/// test is skipped with the reason, or failed when TENSORGRAD_REQUIRE_MPI=1 (CI sets it).
/// </summary>
public static class MpiJob
{
    /// <summary>Environment variable that turns a missing Open MPI into a test failure.</summary>
    public const string RequireVariable = "TENSORGRAD_REQUIRE_MPI";

    /// <summary>What a job printed and how it ended.</summary>
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    /// <summary>
    /// Runs the worker scenario <paramref name="arguments"/> on <paramref name="ranks"/> processes
    /// (under mpirun; alone when <paramref name="ranks"/> is 0) with <paramref name="environment"/>
    /// added, killing it after <paramref name="timeout"/>.
    /// </summary>
    public static Result Run(int ranks, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        string worker = WorkerPath();
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (ranks > 0)
        {
            start.FileName = MpirunOrSkip();
            foreach (string a in (string[])["--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), "dotnet", worker])
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = "dotnet";
            start.ArgumentList.Add(worker);
        }

        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TERM"] = "dumb";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun -np {ranks} {string.Join(' ', arguments)} did not end within {timeout.TotalSeconds:F0} s:\n{output.Result}\n{errors.Result}");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, output.Result + errors.Result, clock.Elapsed);
    }

    private static string MpirunOrSkip()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, "mpirun");
            if (File.Exists(candidate) && NativeLibrary.TryLoad("libmpi.so.40", out var library))
            {
                NativeLibrary.Free(library);
                return candidate;
            }
        }

        string reason = "Open MPI is not installed (no mpirun on PATH or no libmpi.so.40): apt-get install openmpi-bin";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but {reason}");
        }

        Assert.Skip(reason);
        return "";
    }

    /// <summary>tests/DistributedWorker's program, built with the same configuration as the tests.</summary>
    private static string WorkerPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TensorGrad.sln")))
        {
            directory = directory.Parent;
        }

        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string path = Path.Combine(directory?.FullName ?? ".", "tests", "DistributedWorker", "bin", configuration, "net10.0", "DistributedWorker.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (dotnet build TensorGrad.sln -c {configuration}).");
        return path;
    }
}
