using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TensorGrad;
using TensorGrad.Backends;
using TensorGrad.Backends.Cpu;
using TensorGrad.Data;
using TensorGrad.Nn;
using TensorGrad.Optim;

// The soak benchmark: trains the MNIST MLP (784-256-128-10, Adam, batch 64) on the CPU for many
// steps, eagerly and replayed from a KernelGraph, and reports the live managed heap (after a full
// collection), the working set and the CPU backend's pooled bytes every --every steps after a
// warm-up, with the managed bytes a step allocates on the training thread. Exits 1 when any of them grows more than --limit-mb above its value after the warm-up.
var steps = new Option<int>("--steps") { Description = "Training steps per mode", DefaultValueFactory = _ => 100_000 };
var every = new Option<int>("--every") { Description = "Steps between reports", DefaultValueFactory = _ => 10_000 };
var warmup = new Option<int>("--warmup") { Description = "Steps before the baseline report (tiered JIT and the GC settle in it)", DefaultValueFactory = _ => 20_000 };
var mode = new Option<string>("--mode") { Description = "eager, replayed or both", DefaultValueFactory = _ => "both" };
var limit = new Option<double>("--limit-mb") { Description = "Largest growth allowed over the baseline, in MB", DefaultValueFactory = _ => 5 };
var data = new Option<string>("--data") { Description = "Directory of MNIST IDX files", DefaultValueFactory = _ => Path.Combine("data", "mnist-sample") };
var root = new RootCommand("Memory of a long TensorGrad training run, eager and replayed.") { steps, every, warmup, mode, limit, data };
root.SetAction(result =>
{
    string directory = result.GetValue(data)!;
    if (!Directory.Exists(directory))
    {
        Console.Error.WriteLine($"error: --data: '{directory}' does not exist (run from the repository root, or pass --data DIR).");
        return 2;
    }

    string which = result.GetValue(mode)!;
    if (which is not ("eager" or "replayed" or "both"))
    {
        Console.Error.WriteLine($"error: --mode must be eager, replayed or both, not '{which}'.");
        return 2;
    }

    var soak = new Soak(Mnist.Load(directory).Train, result.GetValue(steps), result.GetValue(every), result.GetValue(warmup), result.GetValue(limit));
    Console.WriteLine($"{RuntimeInfo()}; {result.GetValue(steps):N0} steps per mode, batch 64, reports every {result.GetValue(every):N0} after {result.GetValue(warmup):N0}");
    bool flat = true;
    foreach (bool replayed in which == "both" ? new[] { false, true } : [which == "replayed"])
    {
        flat &= soak.Run(replayed);
    }

    return flat ? 0 : 1;
});
return root.Parse(args).Invoke();

static string RuntimeInfo() =>
    $".NET {Environment.Version}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

/// <summary>One soak run per mode over an endless shuffled stream of batches.</summary>
internal sealed class Soak(InMemoryDataset train, int steps, int every, int warmup, double limitMegabytes)
{
    private static readonly CpuBackend Cpu = (CpuBackend)BackendRegistry.Get(Device.Cpu);

    /// <summary>Trains <c>steps</c> steps and prints the reports; true when every figure stayed within the limit.</summary>
    public bool Run(bool replayed)
    {
        Init.ManualSeed(1);
        var model = new Sequential { new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10) };
        var optimizer = new Adam(model.Parameters());
        using var loader = new DataLoader(train, batchSize: 64, shuffle: true, seed: 1, dropLast: true);
        using var step = replayed ? new ReplayedStep(model, optimizer) : (IStep)new EagerStep(model, optimizer);
        string name = replayed ? "replayed" : "eager";
        Console.WriteLine($"{name,-9} {"step",9} {"heap MB",9} {"working set MB",15} {"pooled MB",10} {"steps/s",9} {"B/step",7}");

        // Measuring loads code of its own (System.Diagnostics.Process, about 4 MB of working set):
        // measure once before training so the first report does not count it.
        _ = Sample.Take();
        Sample? baseline = null;
        Sample highest = default;
        var clock = Stopwatch.StartNew();
        int done = 0, windowStart = 0;
        long allocatedAtWindowStart = GC.GetAllocatedBytesForCurrentThread();
        double loss = 0;
        while (done < steps)
        {
            foreach (var (x, y) in loader)
            {
                done++;
                bool report = done == warmup || (done > warmup && (done - warmup) % every == 0) || done == steps;
                double stepLoss = step.Run(x, y, readLoss: report);
                if (report)
                {
                    loss = stepLoss;
                    double rate = (done - windowStart) / clock.Elapsed.TotalSeconds;
                    double allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedAtWindowStart) / (double)(done - windowStart);
                    var sample = Sample.Take();
                    baseline ??= sample;
                    highest = Sample.Max(highest, sample);
                    Console.WriteLine($"{name,-9} {done,9:N0} {Mb(sample.Heap),9:F2} {Mb(sample.WorkingSet),15:F2} {Mb(sample.Pooled),10:F2} {rate,9:N0} {allocated,7:N0}");
                    clock.Restart();
                    windowStart = done;
                    allocatedAtWindowStart = GC.GetAllocatedBytesForCurrentThread();
                }

                if (done == steps)
                {
                    break;
                }
            }
        }

        var growth = new Sample(highest.Heap - baseline!.Value.Heap, highest.WorkingSet - baseline.Value.WorkingSet, highest.Pooled - baseline.Value.Pooled);
        bool flat = Mb(growth.Heap) <= limitMegabytes && Mb(growth.WorkingSet) <= limitMegabytes && Mb(growth.Pooled) <= limitMegabytes;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: most growth over the baseline at step {warmup:N0}: heap {Mb(growth.Heap):F2} MB, working set {Mb(growth.WorkingSet):F2} MB, pooled {Mb(growth.Pooled):F2} MB (limit {limitMegabytes} MB): {(flat ? "flat" : "GROWING")}; last loss {loss:F4}"));
        return flat;
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>Live managed heap after a full collection, working set, and the CPU backend's pooled bytes.</summary>
    private readonly record struct Sample(long Heap, long WorkingSet, long Pooled)
    {
        public static Sample Take()
        {
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            using var process = Process.GetCurrentProcess();
            return new Sample(heap, process.WorkingSet64, Cpu.PooledBytes);
        }

        public static Sample Max(Sample a, Sample b) =>
            new(Math.Max(a.Heap, b.Heap), Math.Max(a.WorkingSet, b.WorkingSet), Math.Max(a.Pooled, b.Pooled));
    }
}

/// <summary>One training step on a batch; returns the loss when asked to read it.</summary>
internal interface IStep : IDisposable
{
    double Run(Tensor x, Tensor y, bool readLoss);
}

/// <summary>Forward, loss, backward and Adam on a tape of its own.</summary>
internal sealed class EagerStep(Module model, Optimizer optimizer) : IStep
{
    public double Run(Tensor x, Tensor y, bool readLoss)
    {
        using var tape = Tape.Begin();
        var loss = Loss.CrossEntropy(model.Forward(x), y);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return readLoss ? loss.Item() : double.NaN;
    }

    public void Dispose()
    {
    }
}

/// <summary>The step captured once in a KernelGraph and replayed on copies of each batch.</summary>
internal sealed class ReplayedStep(Module model, Optimizer optimizer) : IStep
{
    private KernelGraph? graph;
    private Tensor? images;
    private Tensor? labels;

    public double Run(Tensor x, Tensor y, bool readLoss)
    {
        if (graph is null)
        {
            images = x.Clone();
            labels = y.Clone();
            optimizer.ZeroGrad();
            graph = KernelGraph.Capture(() =>
            {
                var loss = Loss.CrossEntropy(model.Forward(images), labels);
                loss.Backward();
                return loss;
            });
        }
        else
        {
            images!.CopyFrom(x);
            labels!.CopyFrom(y);
            optimizer.ZeroGrad();
            graph.Replay();
        }

        optimizer.Step();
        return readLoss ? graph.Output.Item() : double.NaN;
    }

    public void Dispose()
    {
        graph?.Dispose();
        images?.Dispose();
        labels?.Dispose();
    }
}
