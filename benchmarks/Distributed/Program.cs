// What data parallelism costs on the ranks of an MPI job, measured on every rank at once and
// reported by rank 0:
//   1. allreduce time and bandwidth through ProcessGroup against MPI_Allreduce called directly;
//   2. the per-step overhead of DistributedDataParallel for the MNIST MLP (784-256-128-10, SGD
//      with momentum) at 64 samples per rank: a DDP step minus a step of the same model alone,
//      against the bare allreduce of its gradients.
// Run: mpirun --allow-run-as-root -np 2 dotnet benchmarks/Distributed/bin/Release/net10.0/TensorGrad.Distributed.Benchmarks.dll [rounds]
// Each figure is the median over rounds × calls; the variants alternate round by round.
using System.Diagnostics;
using System.Globalization;
using TensorGrad;
using TensorGrad.Distributed;
using TensorGrad.Distributed.Benchmarks;
using TensorGrad.Nn;
using TensorGrad.Optim;
using TensorGrad.Peers;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var group = ProcessGroup.Init();
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
void Say(string line)
{
    if (group.IsMain)
    {
        Console.WriteLine(line);
    }
}

Say($"machine: {MachineInfo.CpuModel()}, {Environment.ProcessorCount} core(s) per rank, {group.Size} ranks; {MachineInfo.Runtime()}");
Say($"medians over {rounds} rounds; allreduce in place, float32 sum");
Say("");
Say("| allreduce | through ProcessGroup | MPI_Allreduce directly | bandwidth ratio | non-blocking (MPI_Iallreduce, then wait) |");
Say("|---|---|---|---|---|");
const int mlpGradients = (784 * 256) + 256 + (256 * 128) + 128 + (128 * 10) + 10;
double mlpAllReduce = 0;
foreach (int count in (int[])[mlpGradients, 1 << 20, 4 << 20])
{
    var values = new float[count];
    int calls = Math.Max(10, (int)(50_000_000L / count));
    double binding = 0, direct = 0;
    var (bindingTimes, directTimes, asyncTimes) = (new List<double>(), new List<double>(), new List<double>());
    for (int round = 0; round < rounds; round++)
    {
        bindingTimes.Add(Bench.PerCall(group, calls, () => group.AllReduce(values.AsSpan())));
        directTimes.Add(Bench.PerCall(group, calls, () => DirectMpi.AllReduce(values)));
        asyncTimes.Add(Bench.PerCall(group, calls, () => group.AllReduceAsync(values.AsMemory()).Wait()));
    }

    (binding, direct) = (Bench.Median(bindingTimes), Bench.Median(directTimes));
    if (count == mlpGradients)
    {
        mlpAllReduce = binding;
    }

    double bytes = count * 4.0;
    Say($"| {count:N0} floats ({bytes / 1e6:F2} MB) | {Bench.Time(binding)} ({bytes / binding / 1e9:F2} GB/s) | {Bench.Time(direct)} ({bytes / direct / 1e9:F2} GB/s) | {direct / binding * 100:F1} % | {Bench.Time(Bench.Median(asyncTimes))} |");
}

// The MLP step alone and data-parallel, alternating round by round on every rank.
Init.ManualSeed(1);
var alone = Mlp();
var replica = Mlp();
using var ddp = new DistributedDataParallel(replica, group);
var input = Tensor.Randn(Shape.Create([64, 784]), seed: 2 + group.Rank);
var labels = Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => (float)(i % 10))], Shape.Create([64]), Device.Cpu);
var aloneOptimizer = new Sgd(alone.Parameters(), lr: 0.01, momentum: 0.9);
var ddpOptimizer = new Sgd(ddp.Parameters(), lr: 0.01, momentum: 0.9);
var gradients = new float[mlpGradients];
var (aloneTimes, ddpTimes, floorTimes) = (new List<double>(), new List<double>(), new List<double>());
for (int round = 0; round < rounds; round++)
{
    aloneTimes.Add(Bench.PerCall(group, 200, () => Step(alone, aloneOptimizer)));
    ddpTimes.Add(Bench.PerCall(group, 200, () => Step(ddp, ddpOptimizer)));
    floorTimes.Add(Bench.PerCall(group, 200, () => Step(alone, aloneOptimizer, () => group.AllReduce(gradients.AsSpan()))));
}

double aloneStep = Bench.Median(aloneTimes), ddpStep = Bench.Median(ddpTimes), overhead = ddpStep - aloneStep;
Say("");
Say("| MNIST MLP step, SGD momentum, 64 samples per rank | time |");
Say("|---|---|");
Say($"| alone (no averaging) | {Bench.Time(aloneStep)} |");
Say($"| DistributedDataParallel ({ddp.Buckets.Count} bucket(s), {mlpGradients * 4 / 1e6:F2} MB of gradients) | {Bench.Time(ddpStep)} |");
Say($"| overhead (difference) | {Bench.Time(overhead)} |");
Say($"| alone, then an allreduce of as many floats (no hooks, no copies) | {Bench.Time(Bench.Median(floorTimes))} |");
Say($"| bare allreduce of the gradients | {Bench.Time(mlpAllReduce)} |");
Say($"| overhead / allreduce | {overhead / mlpAllReduce:F2}× |");
return 0;

static Sequential Mlp() => new(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));

void Step(Module model, Optimizer optimizer, Action? afterBackward = null)
{
    optimizer.ZeroGrad();
    using var tape = Tape.Begin();
    Loss.CrossEntropy(model.Forward(input), labels).Backward();
    afterBackward?.Invoke();
    optimizer.Step();
}

/// <summary>Timing helpers: every rank starts a measurement together.</summary>
internal static class Bench
{
    /// <summary>Seconds per call of <paramref name="action"/> over <paramref name="calls"/> calls, after a barrier and two warm-up calls.</summary>
    public static double PerCall(ProcessGroup group, int calls, Action action)
    {
        action();
        action();
        group.Barrier();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            action();
        }

        return clock.Elapsed.TotalSeconds / calls;
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string Time(double seconds) => seconds >= 1e-3 ? $"{seconds * 1e3:F3} ms" : $"{seconds * 1e6:F1} µs";
}
