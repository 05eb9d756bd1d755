using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace TensorGrad.Peers;

/// <summary>
/// The workloads on PyTorch, in one long-lived Python process running torch_peer.py: one request
/// per line on its stdin, one reply per line on its stdout, so interpreter start-up is not timed
/// and the runner can interleave PyTorch with the other libraries.
/// </summary>
public sealed class PyTorchPeer : IPeer
{
    private const string InstallHint = "apt-get install python3-torch libopenblas0-pthread";
    private readonly Process process;
    private readonly StringWriter errors = new();

    private PyTorchPeer(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.WriteLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public string Name => "PyTorch";

    public string Description { get; private set; } = "";

    /// <summary>Starts torch_peer.py with <paramref name="python"/> and waits until it has imported torch.</summary>
    /// <param name="python">The Python interpreter.</param>
    /// <param name="threads">Threads of PyTorch's intra-op pool.</param>
    /// <param name="ompWaitPolicy">OMP_WAIT_POLICY of the Python process.</param>
    /// <exception cref="PeerUnavailableException">Python or PyTorch is missing, or the script fails to start.</exception>
    public static PyTorchPeer Create(string python, int threads, string ompWaitPolicy)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "torch_peer.py");
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-u", script, "--threads", threads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OMP_WAIT_POLICY"] = ompWaitPolicy;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PeerUnavailableException($"{python} did not start.");
        }
        catch (Win32Exception e)
        {
            throw new PeerUnavailableException($"could not start {python} ({e.Message}); PyTorch needs Python 3 with python3-torch ({InstallHint}).", e);
        }

        var peer = new PyTorchPeer(process);
        string reply;
        try
        {
            reply = peer.ReadReply();
        }
        catch (PeerUnavailableException)
        {
            peer.Dispose();
            throw;
        }

        if (!reply.StartsWith("ready ", StringComparison.Ordinal))
        {
            peer.Dispose();
            throw new PeerUnavailableException(reply.StartsWith("error ", StringComparison.Ordinal) ? reply[6..] : $"torch_peer.py answered '{reply}' instead of 'ready'.");
        }

        string[] words = reply.Split(' ');
        peer.Description = $"PyTorch {words[1]} ({python}, {words[2]} threads, OMP_WAIT_POLICY={ompWaitPolicy})";
        return peer;
    }

    public double SecondsPerCall(Workload workload, TimingSettings timing)
    {
        string request = string.Create(CultureInfo.InvariantCulture, $"measure {workload.Id} {timing.WarmupSeconds:R} {timing.SampleSeconds:R} {timing.Samples}");
        try
        {
            process.StandardInput.WriteLine(request);
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            throw Exited();
        }

        string reply = ReadReply();
        if (reply.StartsWith("ok ", StringComparison.Ordinal))
        {
            return double.Parse(reply.AsSpan(3), CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException(reply.StartsWith("error ", StringComparison.Ordinal) ? reply[6..] : $"torch_peer.py answered '{reply}'.");
    }

    public void Dispose()
    {
        try
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The script has already exited.
        }

        if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            process.Kill();
        }

        process.Dispose();
    }

    // The next line from the script.
    private string ReadReply() => process.StandardOutput.ReadLine() ?? throw Exited();

    // The script has exited: its exit code and what it wrote to stderr.
    private PeerUnavailableException Exited()
    {
        process.WaitForExit();
        string stderr;
        lock (errors)
        {
            stderr = errors.ToString().Trim();
        }

        return new PeerUnavailableException($"torch_peer.py exited with code {process.ExitCode}{(stderr.Length > 0 ? $": {stderr}" : "")}.");
    }
}
