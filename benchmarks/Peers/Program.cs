// Measures the same workloads on TensorGrad (CPU backend), TorchSharp (libtorch for the CPU, in
// this process) and PyTorch (a long-lived python3 running torch_peer.py) in one run, interleaved
// round-robin, and writes a Markdown table of times, speed ratios and GFLOP/s against the FP32 FMA
// peak measured in the same run. `dotnet run --project benchmarks/Peers -c Release`; see README.md.
using System.CommandLine;
using System.Globalization;
using TensorGrad.Peers;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var repeats = new Option<int>("--repeats")
{
    Description = "Times every workload runs on every library, interleaved; the table shows the median [default: 5, 2 with --quick]",
    HelpName = "n",
};
repeats.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 1)
    {
        result.AddError("--repeats must be at least 1.");
    }
});
var output = new Option<string?>("--out")
{
    Description = "Markdown file for the results [default: benchmarks/Peers/results.md in the repository]",
    HelpName = "path",
};
var quick = new Option<bool>("--quick") { Description = "Shorter measurements and no SGEMM 2048, to check that everything runs" };
var only = new Option<string[]>("--only")
{
    Description = "Run only the workloads whose id starts with one of these (e.g. lenet,conv3x3,sgemm-1024) [default: all]",
    HelpName = "id,id,...",
    CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
};
var python = new Option<string>("--python")
{
    Description = "Python with python3-torch, which runs torch_peer.py",
    DefaultValueFactory = _ => "/usr/bin/python3",
    HelpName = "path",
};

var root = new RootCommand("Compare TensorGrad with TorchSharp and PyTorch on the CPU, interleaved in one run.") { repeats, output, quick, only, python };
root.SetAction(result =>
{
    bool isQuick = result.GetValue(quick);
    int repeatCount = result.GetResult(repeats) is null ? (isQuick ? 2 : 5) : result.GetValue(repeats);
    string outPath = result.GetValue(output) ?? DefaultOutput();
    var timing = isQuick ? new TimingSettings(0.03, 0.01, 5) : new TimingSettings(0.1, 0.02, 7);
    int threads = Environment.ProcessorCount;
    string[] prefixes = result.GetValue(only) ?? [];
    var workloads = Workload.All(isQuick).Where(w => prefixes.Length == 0 || prefixes.Any(w.Id.StartsWith)).ToList();
    if (workloads.Count == 0)
    {
        Console.Error.WriteLine($"error: --only {string.Join(',', prefixes)} matches no workload; ids: {string.Join(", ", Workload.All(false).Select(w => w.Id))}.");
        return 2;
    }

    var started = DateTime.UtcNow;

    // Debian's PyTorch runs its own ops on OpenMP threads and its matrix products on OpenBLAS's
    // pthreads; with OpenMP's default wait policy its idle threads spin while OpenBLAS needs the
    // cores (a batch-32 step takes 1 ms or 16 ms depending on who wins), so the Python process gets
    // passive waiting. TorchSharp's libtorch has a single OpenMP pool and keeps the default. An
    // OMP_WAIT_POLICY in the environment applies to both.
    string pythonWaitPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE";
    string loadBefore = MachineInfo.LoadAverage();

    var slots = new List<PeerSlot>
    {
        new(TensorGradPeer.EagerName, new TensorGradPeer(replayed: false), null),
        new(TensorGradPeer.ReplayedName, new TensorGradPeer(replayed: true), null),
        PeerSlot.Open("TorchSharp", () => TorchSharpPeer.Create(threads)),
        PeerSlot.Open("PyTorch", () => PyTorchPeer.Create(result.GetValue(python)!, threads, pythonWaitPolicy)),
    };
    try
    {
        foreach (var slot in slots)
        {
            Console.WriteLine(slot.Peer is { } peer ? peer.Description : $"{slot.Name}: not measured: {slot.Unavailable}");
        }

        var measurements = Runner.Run(slots, workloads, repeatCount, timing, threads);
        var run = new ResultsTable.RunInfo(repeatCount, timing, threads, loadBefore, MachineInfo.LoadAverage(), started);
        string report = ResultsTable.Render(slots, workloads, measurements, run);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, report);
        Console.WriteLine();
        Console.Write(report);
        Console.WriteLine();
        Console.WriteLine($"written to {outPath}");
        return 0;
    }
    finally
    {
        foreach (var slot in slots)
        {
            slot.Peer?.Dispose();
        }
    }
});

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run with --help to see the options.");
    return 2;
}

return parsed.Invoke();

// benchmarks/Peers/results.md in the repository above the current directory or the program, else results.md here.
static string DefaultOutput()
{
    foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TensorGrad.sln")))
            {
                return Path.Combine(dir.FullName, "benchmarks", "Peers", "results.md");
            }
        }
    }

    return "results.md";
}
