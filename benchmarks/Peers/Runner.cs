using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TensorGrad.Peers;

/// <summary>
/// Runs the workloads round-robin: each repeat measures the FMA peak (one thread, then all) and the memory bandwidth, then every workload on every
/// library before the next workload, so a change in the machine's load falls on all libraries alike.
/// The library that goes first rotates from repeat to repeat.
/// </summary>
public static class Runner
{
    /// <summary>Measures <paramref name="workloads"/> on the available libraries of <paramref name="slots"/>, <paramref name="repeats"/> times.</summary>
    public static Measurements Run(IReadOnlyList<PeerSlot> slots, IReadOnlyList<Workload> workloads, int repeats, TimingSettings timing, int threads)
    {
        var measurements = new Measurements();
        var peers = slots.Where(s => s.Peer is not null).Select(s => s.Peer!).ToList();
        var dead = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            if (FmaPeak.IsSupported)
            {
                double core = FmaPeak.MeasureGflops(1, timing);
                double total = FmaPeak.MeasureGflops(threads, timing);
                measurements.FmaCoreGflops.Add(core);
                measurements.FmaTotalGflops.Add(total);
                Console.WriteLine($"repeat {repeat + 1}/{repeats}: FMA peak {core:F0} GFLOP/s on 1 thread, {total:F0} on {threads}; load average {MachineInfo.LoadAverage()}");
            }

            var bandwidths = new List<string>();
            foreach (var (level, bytes) in MemoryBandwidth.Levels(threads))
            {
                double gbs = MemoryBandwidth.MeasureGBs(bytes, threads, timing);
                if (!measurements.BandwidthGBs.TryGetValue(level, out var list))
                {
                    measurements.BandwidthGBs[level] = list = [];
                }

                list.Add(gbs);
                bandwidths.Add($"{level} ({Format.Bytes(bytes)}) {gbs:F0} GB/s");
            }

            Console.WriteLine($"  triad bandwidth on {threads} threads: {string.Join(", ", bandwidths)}");

            foreach (var workload in workloads)
            {
                var line = new List<string>();
                for (int p = 0; p < peers.Count; p++)
                {
                    var peer = peers[(p + repeat) % peers.Count];
                    if (dead.Contains(peer.Name))
                    {
                        continue;
                    }

                    try
                    {
                        double seconds = peer.SecondsPerCall(workload, timing);
                        measurements.Add(peer.Name, workload, seconds);
                        line.Add($"{peer.Name} {Format.Time(seconds)}");
                    }
                    catch (PeerUnavailableException e)
                    {
                        // The library stopped working (its process exited): skip it from now on.
                        dead.Add(peer.Name);
                        measurements.Fail(peer.Name, workload, e.Message);
                        line.Add($"{peer.Name} stopped: {e.Message}");
                    }
                    catch (Exception e) when (e is InvalidOperationException or ExternalException or ArgumentException)
                    {
                        measurements.Fail(peer.Name, workload, e.Message);
                        line.Add($"{peer.Name} failed: {e.Message}");
                    }
                }

                Console.WriteLine($"  {workload.Id,-14} {string.Join("  ", line)}");
            }
        }

        Console.WriteLine($"measured in {clock.Elapsed.TotalSeconds:F0} s");
        return measurements;
    }
}
