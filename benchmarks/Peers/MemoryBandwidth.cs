using TensorGrad.Backends.Cpu;
using System.Numerics.Tensors;

namespace TensorGrad.Peers;

/// <summary>
/// The machine's memory bandwidth at several working-set sizes, STREAM's triad a = b + s·c on
/// float32 arrays split over the threads: three arrays that together fill half of the cores' L2,
/// half of the L3, eight times the L3 (memory), and each batch-1 step's working set. Bytes
/// counted: two reads and one write per element (12 bytes), as STREAM counts them.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>
    /// The working sets measured, with their names: the three levels, then the working sets of the
    /// batch-1 MLP steps (<see cref="TrafficFloor"/>), whose floors use the bandwidth at their own size.
    /// </summary>
    public static IReadOnlyList<(string Name, long Bytes)> Levels(int threads) =>
    [
        ("L2", CpuCaches.L2 * threads / 2),
        ("L3", CpuCaches.L3 / 2),
        ("memory", CpuCaches.L3 * 8),
        .. TrafficFloor.Steps.Select(s => (TrafficFloor.Level(s), (long)TrafficFloor.WorkingSet(s))),
    ];

    /// <summary>The first three of <see cref="Levels"/>: the cache levels and memory.</summary>
    public static IEnumerable<(string Name, long Bytes)> CacheLevels(int threads) => Levels(threads).Take(3);

    /// <summary>GB/s of the triad over <paramref name="workingSetBytes"/> (three arrays) on <paramref name="threads"/> threads.</summary>
    public static double MeasureGBs(long workingSetBytes, int threads, TimingSettings timing)
    {
        int n = checked((int)(workingSetBytes / 12));
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        b.AsSpan().Fill(1);
        c.AsSpan().Fill(2);
        // Small working sets pass over their arrays several times per call, so the start of the
        // parallel loop (microseconds) does not count as memory time.
        int passes = (int)Math.Max(1, (64L << 20) / workingSetBytes);
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        double seconds = timing.MedianSecondsPerCall(() => Parallel.For(0, threads, options, t =>
        {
            int start = (int)((long)n * t / threads), length = (int)((long)n * (t + 1) / threads) - start;
            for (int pass = 0; pass < passes; pass++)
            {
                TensorPrimitives.MultiplyAdd(c.AsSpan(start, length), 3f, b.AsSpan(start, length), a.AsSpan(start, length));
            }
        }));
        return 12.0 * n * passes / seconds / 1e9;
    }
}
