using TensorGrad.Backends.Cpu;
using System.Text;

namespace TensorGrad.Peers;

/// <summary>The Markdown report of a run: the machine, the libraries, the times and ratios, and the throughput.</summary>
public static class ResultsTable
{
    /// <summary>What the report says about the run besides the measurements.</summary>
    /// <param name="Repeats">Number of repeats.</param>
    /// <param name="Timing">How each measurement was timed.</param>
    /// <param name="Threads">Threads of the FMA peak kernel and of every library.</param>
    /// <param name="LoadBefore">Load average when the run started.</param>
    /// <param name="LoadAfter">Load average when it ended.</param>
    /// <param name="Started">When the run started.</param>
    public sealed record RunInfo(int Repeats, TimingSettings Timing, int Threads, string LoadBefore, string LoadAfter, DateTime Started);

    /// <summary>The report as Markdown.</summary>
    public static string Render(IReadOnlyList<PeerSlot> slots, IReadOnlyList<Workload> workloads, Measurements measurements, RunInfo run)
    {
        var ours = slots.Where(s => s.Peer is TensorGradPeer).ToList();
        var peers = slots.Where(s => s.Peer is not TensorGradPeer).ToList();
        double? peak = measurements.FmaPeak;
        var text = new StringBuilder();
        text.AppendLine("# TensorGrad, TorchSharp and PyTorch on the CPU").AppendLine();
        string peakText = peak is { } p
            ? $"measured FP32 FMA peak {p:F0} GFLOP/s on {run.Threads} threads, {measurements.FmaCorePeak:F0} GFLOP/s on one ({FmaPeak.Simd} FMA chains, the best of the repeats)"
            : "FMA peak not measured (no accelerated vector FMA)";
        text.AppendLine($"- Machine: {MachineInfo.CpuModel()}, {Environment.ProcessorCount} cores, {FmaPeak.Simd}; {peakText}");
        if (MemoryBandwidth.CacheLevels(run.Threads).Select(l => (l.Name, l.Bytes, GBs: measurements.Bandwidth(l.Name))).Where(l => l.GBs is not null).ToList() is { Count: > 0 } levels)
        {
            text.AppendLine($"- Memory: triad bandwidth on {run.Threads} threads (the best of the repeats) {string.Join(", ", levels.Select(l => $"{l.GBs:F0} GB/s over {Format.Bytes(l.Bytes)} ({l.Name})"))}; L2 {Format.Bytes(CpuCaches.L2)} per core, L3 {Format.Bytes(CpuCaches.L3)}{(CpuCaches.Reported ? "" : " (not reported by the machine: assumed)")}");
        }

        text.AppendLine($"- Runtime: {MachineInfo.Runtime()}");
        foreach (var slot in slots)
        {
            text.AppendLine(slot.Peer is { } library ? $"- {library.Description}" : $"- {slot.Name}: not measured: {slot.Unavailable}");
        }

        text.AppendLine($"- Run: {run.Started:yyyy-MM-dd HH:mm} UTC, {run.Repeats} repeat{(run.Repeats == 1 ? "" : "s")} interleaved round-robin, median of the repeats; each repeat's value is the median time per call of {run.Timing.Samples} samples of about {run.Timing.SampleSeconds * 1e3:F0} ms after at least {run.Timing.WarmupSeconds * 1e3:F0} ms of warm-up; load average {run.LoadBefore} at the start, {run.LoadAfter} at the end");
        if (measurements.FmaScaling is { } scaling && run.Threads > 1 && scaling < 0.75 * run.Threads)
        {
            text.AppendLine($"- **The machine was busy**: in the median repeat {run.Threads} threads ran the FMA kernel only {scaling:F2}× as fast as one, so other processes held cores. Libraries whose idle threads spin (libtorch with OpenMP's default wait policy) slow down far more than the others then; rerun on a quiet machine, or with OMP_WAIT_POLICY=PASSIVE.");
        }

        text.AppendLine();

        var pairs = (from us in ours from peer in peers select (Us: us, Peer: peer)).ToList();
        text.Append("| Workload |");
        slots.ToList().ForEach(s => text.Append($" {s.Name} |"));
        pairs.ForEach(p => text.Append($" {Abbreviation(p.Us)}/{p.Peer.Name} |"));
        text.AppendLine().Append("|---|");
        slots.ToList().ForEach(_ => text.Append("---:|"));
        pairs.ForEach(_ => text.Append("---:|"));
        text.AppendLine();
        foreach (var workload in workloads)
        {
            text.Append($"| {workload.Title} |");
            slots.ToList().ForEach(s => text.Append($" {TimeCell(s, workload, measurements)} |"));
            foreach (var (us, peer) in pairs)
            {
                double? mine = measurements.MedianSeconds(us.Name, workload);
                double? theirs = measurements.MedianSeconds(peer.Name, workload);
                text.Append(mine is { } o && theirs is { } t ? $" {Format.Ratio(t / o)} |" : " – |");
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine($"TG/peer is TensorGrad's speed over the peer's (the peer's time / TensorGrad's time): above 1, TensorGrad is faster. TG is TensorGrad run eagerly (a tape per step), TG graph the same step captured once in a KernelGraph and replayed.");
        text.AppendLine();

        text.AppendLine($"Throughput in GFLOP/s{(peak is null ? "" : " and % of the measured FMA peak")} (MLP steps count 2 flops per multiply-add of the forward pass, the weight gradients and the upper layers' input gradients):").AppendLine();
        text.Append("| Workload |");
        slots.ToList().ForEach(s => text.Append($" {s.Name} |"));
        text.AppendLine().Append("|---|");
        slots.ToList().ForEach(_ => text.Append("---:|"));
        text.AppendLine();
        foreach (var workload in workloads.Where(w => w.Flops > 0))
        {
            text.Append($"| {workload.Title} |");
            foreach (var slot in slots)
            {
                text.Append(measurements.MedianSeconds(slot.Name, workload) is { } seconds
                    ? $" {Format.Significant(workload.Flops / seconds / 1e9)}{(peak is { } top ? $" ({100 * workload.Flops / seconds / 1e9 / top:F0} %)" : "")} |"
                    : " – |");
            }

            text.AppendLine();
        }

        AppendFloors(text, slots, workloads, measurements);

        var failures = (from slot in slots
                        from workload in workloads
                        let reason = measurements.Failure(slot.Name, workload)
                        where reason is not null
                        select $"- {slot.Name}, {workload.Title}: {reason}").ToList();
        if (failures.Count > 0)
        {
            text.AppendLine().AppendLine("Failures:").AppendLine();
            failures.ForEach(f => text.AppendLine(f));
        }

        return text.ToString();
    }

    /// <summary>The batch-1 MLP steps as multiples of their memory-traffic floor (<see cref="TrafficFloor"/>).</summary>
    private static void AppendFloors(StringBuilder text, IReadOnlyList<PeerSlot> slots, IReadOnlyList<Workload> workloads, Measurements measurements)
    {
        var steps = workloads.Where(w => w.Kind is WorkloadKind.Mlp or WorkloadKind.MlpInBackward && w.Size == 1).ToList();
        if (steps.Count == 0 || measurements.BandwidthGBs.Count == 0)
        {
            return;
        }

        text.AppendLine().AppendLine("Batch-1 steps against their memory-traffic floor (the bytes the step must read and write at the triad bandwidth measured over its working set; 1.0× is the floor):").AppendLine();
        text.Append("| Workload | bytes per step | working set, triad bandwidth | floor |");
        slots.ToList().ForEach(s => text.Append($" {s.Name} |"));
        text.AppendLine().Append("|---|---:|---:|---:|");
        slots.ToList().ForEach(_ => text.Append("---:|"));
        text.AppendLine();
        foreach (var step in steps)
        {
            var floorStep = new FloorStep(step.Optimizer, step.Kind == WorkloadKind.MlpInBackward);
            if (measurements.Bandwidth(TrafficFloor.Level(floorStep)) is not { } gbs)
            {
                continue;
            }

            double bytes = TrafficFloor.Bytes(floorStep), floor = bytes / (gbs * 1e9);
            text.Append($"| {step.Title} | {Format.Bytes((long)bytes)} | {Format.Bytes((long)TrafficFloor.WorkingSet(floorStep))}, {gbs:F0} GB/s | {Format.Time(floor)} |");
            slots.ToList().ForEach(s => text.Append(measurements.MedianSeconds(s.Name, step) is { } seconds ? $" {seconds / floor:F2}× |" : " – |"));
            text.AppendLine();
        }
    }

    private static string Abbreviation(PeerSlot slot) => slot.Name.Replace("TensorGrad", "TG", StringComparison.Ordinal);

    private static string TimeCell(PeerSlot slot, Workload workload, Measurements measurements) =>
        measurements.MedianSeconds(slot.Name, workload) is { } seconds ? Format.Time(seconds)
        : slot.Peer is null ? "n/a"
        : "failed";
}
