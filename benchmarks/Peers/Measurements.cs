namespace TensorGrad.Peers;

/// <summary>Everything a run measured: seconds per call for each library and workload per repeat, failures, and the FMA peak per repeat.</summary>
public sealed class Measurements
{
    private readonly Dictionary<(string Peer, string Workload), List<double>> seconds = [];
    private readonly Dictionary<(string Peer, string Workload), string> failures = [];

    /// <summary>The FMA peak of one thread in each repeat, GFLOP/s.</summary>
    public List<double> FmaCoreGflops { get; } = [];

    /// <summary>The FMA peak of all threads together in each repeat, GFLOP/s.</summary>
    public List<double> FmaTotalGflops { get; } = [];

    /// <summary>The triad bandwidth of each working-set level (L2, L3, memory) in each repeat, GB/s.</summary>
    public Dictionary<string, List<double>> BandwidthGBs { get; } = [];

    /// <summary>The highest bandwidth of the repeats at <paramref name="level"/>, or null if it was not measured.</summary>
    public double? Bandwidth(string level) => BandwidthGBs.TryGetValue(level, out var list) && list.Count > 0 ? list.Max() : null;

    /// <summary>Records one repeat's median seconds per call.</summary>
    public void Add(string peer, Workload workload, double secondsPerCall)
    {
        if (!seconds.TryGetValue((peer, workload.Id), out var list))
        {
            list = [];
            seconds[(peer, workload.Id)] = list;
        }

        list.Add(secondsPerCall);
    }

    /// <summary>Records that <paramref name="peer"/> failed on <paramref name="workload"/> (the first reason is kept).</summary>
    public void Fail(string peer, Workload workload, string reason) => failures.TryAdd((peer, workload.Id), reason);

    /// <summary>The median over the repeats of the seconds per call, or null if nothing was measured.</summary>
    public double? MedianSeconds(string peer, Workload workload) =>
        seconds.TryGetValue((peer, workload.Id), out var list) && list.Count > 0 ? Statistics.Median(list) : null;

    /// <summary>Why <paramref name="peer"/> failed on <paramref name="workload"/>, or null.</summary>
    public string? Failure(string peer, Workload workload) => failures.GetValueOrDefault((peer, workload.Id));

    /// <summary>
    /// The median over the repeats of (all-thread FMA rate / one-thread FMA rate): about the thread
    /// count on an idle machine, near 1 when other processes hold all but one core. Null if not measured.
    /// </summary>
    public double? FmaScaling => FmaTotalGflops.Count > 0 ? Statistics.Median(FmaTotalGflops.Zip(FmaCoreGflops, (total, core) => total / core)) : null;

    // The peaks are the highest of the repeats: other processes can only slow the kernel down.

    /// <summary>The highest one-thread FMA peak of the repeats in GFLOP/s, or null if it was not measured.</summary>
    public double? FmaCorePeak => FmaCoreGflops.Count > 0 ? FmaCoreGflops.Max() : null;

    /// <summary>The highest all-thread FMA peak of the repeats in GFLOP/s, or null if it was not measured.</summary>
    public double? FmaPeak => FmaTotalGflops.Count > 0 ? FmaTotalGflops.Max() : null;
}
