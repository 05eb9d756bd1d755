// A learning-rate × batch-size sweep on the bundled MNIST sample: a 784-128-10 ReLU MLP trained
// with SGD (momentum 0.9) on the same number of samples in every cell, from the same initial
// weights. Each cell is stable or diverged (NaN/inf, or a final loss above the initial one).
// Then: gradient accumulation (batch 64 × 8 micro-batches) against a real batch of 512, and a
// warm-up → cosine schedule (WarmupCosine) at the largest stable rate and the first diverged one.
// `dotnet run --project examples/LrSweep -c Release` writes docs/lr-sweep.png and
// docs/lr-sweep-schedules.png; `-- --full` runs a bigger grid on twice the samples.
using System.Diagnostics;
using System.Globalization;
using LrSweepExample;
using TensorGrad.Examples.Common;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? dataDirectory = null, outputDirectory = null;
int? samplesOption = null;
int seed = 1;
bool full = false;
for (int i = 0; i < args.Length; i++)
{
    string name = args[i];
    bool ok = name switch
    {
        "--full" => full = true,
        "--data" when i + 1 < args.Length => (dataDirectory = args[++i]) is not null,
        "--out" when i + 1 < args.Length => (outputDirectory = args[++i]) is not null,
        "--samples" when i + 1 < args.Length => int.TryParse(args[++i], CultureInfo.InvariantCulture, out int s) && s >= 4096 && (samplesOption = s) > 0,
        "--seed" when i + 1 < args.Length => int.TryParse(args[++i], CultureInfo.InvariantCulture, out seed),
        _ => false,
    };
    if (!ok)
    {
        bool help = name is "-h" or "--help" or "-?";
        Console.Error.WriteLine($"""
            {(help ? "" : $"error: bad option or value: {string.Join(' ', args[i..Math.Min(i + 2, args.Length)])}\n")}usage: dotnet run --project examples/LrSweep -c Release [-- options]
              --data DIR     MNIST IDX files [default: the repository's data/mnist-sample]
              --out DIR      where the PNGs go [default: the repository's docs/]
              --samples N    training samples seen by every run, >= 4096 [default: 40000; 80000 with --full]
              --full         the bigger grid: 9 rates from 0.001 to 10 × batch sizes 8 to 512
              --seed N       seed of the initialization and shuffling [default: 1]
            """);
        return help ? 0 : 2;
    }
}

dataDirectory ??= RepositoryPaths.FindMnistSample();
outputDirectory ??= RepositoryPaths.FindDocs();
if (dataDirectory is null || outputDirectory is null)
{
    Console.Error.WriteLine($"error: could not find {RepositoryPaths.MnistSampleRelative} above the current directory or the program; pass --data DIR and --out DIR.");
    return 2;
}

if (MnistSample.LoadOrReport(dataDirectory) is not { } data)
{
    return 1;
}

var wall = Stopwatch.StartNew();
int samples = samplesOption ?? (full ? 80_000 : 40_000);
double[] rates = full ? [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] : [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
int[] batches = full ? [8, 16, 32, 64, 128, 256, 512] : [16, 64, 256];
var sweep = new Sweep(data, samples, seed);
Console.WriteLine($"784-128-10 ReLU MLP, SGD momentum 0.9, {samples:N0} training samples per run ({samples / (double)data.Train.Count:G3} epochs of {data.Train.Count:N0} digits), {data.Test.Count:N0} test digits, seed {seed}");
Console.WriteLine($"grid: learning rates {string.Join(", ", rates)} × batch sizes {string.Join(", ", batches)}");

// The grid.
var grid = new Dictionary<(double, int), Outcome>();
foreach (int batch in batches)
{
    var clock = Stopwatch.StartNew();
    foreach (double lr in rates)
    {
        grid[(lr, batch)] = sweep.Run(new Setting(lr, batch));
    }

    Console.WriteLine($"  batch {batch,4}: {rates.Length} runs in {clock.Elapsed.TotalSeconds:F1} s");
}

Console.WriteLine();
Console.WriteLine($"final training loss (mean of the last 5 % of steps) and test accuracy after {samples:N0} samples; initial loss {grid.Values.First().InitialLoss:F3} (on 2,048 training digits)");
Console.WriteLine("diverged: NaN/inf or final loss above the initial one; stalled: above half the initial one; ^x: the loss peaked at x on the way");
const int Cell = 33;
Console.WriteLine($"{"lr",-8}{string.Concat(batches.Select(b => $"batch {b}".PadRight(Cell)))}".TrimEnd());
foreach (double lr in rates)
{
    Console.WriteLine($"{lr,-8:G}{string.Concat(batches.Select(b => Describe(grid[(lr, b)]).PadRight(Cell)))}".TrimEnd());
}

var diverged = grid.Values.Where(o => o.Diverged).ToList();
Console.WriteLine($"diverged: {(diverged.Count == 0 ? "none" : string.Join("; ", diverged.Select(o => $"lr {o.Setting.LearningRate:G} × batch {o.Setting.BatchSize}")))}");
var stalled = grid.Values.Where(o => o.Stalled).ToList();
Console.WriteLine($"stalled (not diverged, but the final loss is above half the initial): {(stalled.Count == 0 ? "none" : string.Join("; ", stalled.Select(o => $"lr {o.Setting.LearningRate:G} × batch {o.Setting.BatchSize}")))}");

foreach (int batch in batches)
{
    var best = grid.Values.Where(o => o.Setting.BatchSize == batch && !o.Diverged).MaxBy(o => o.TestAccuracy);
    Console.WriteLine($"batch {batch,4}: best lr {best?.Setting.LearningRate.ToString("G", CultureInfo.InvariantCulture) ?? "-"} ({(best is null ? "none stable" : $"{best.TestAccuracy:P1}")}); largest stable lr {LargestStable(batch)?.ToString("G", CultureInfo.InvariantCulture) ?? "-"}");
}

var panels = batches.Select(b =>
{
    var chart = new LineChart { Title = $"batch {b}: training loss", XLabel = "thousands of samples seen", YLabel = "cross-entropy loss", LogY = true, LegendEdge = ScottPlot.Edge.Right };
    foreach (double lr in rates)
    {
        var o = grid[(lr, b)];
        chart.Add($"lr {lr:G}{(o.Diverged ? " (diverged)" : o.Stalled ? " (stalled)" : "")}", o.Samples, o.Losses);
    }

    return chart;
}).ToArray();
Save("lr-sweep.png", "loss curves of the grid", 640 * panels.Length, 520, panels);

// Gradient accumulation: 8 micro-batches of 64 against a real batch of 512, same rate, same samples.
Console.WriteLine();
const double AccumulationRate = 0.1;
var real = sweep.Run(new Setting(AccumulationRate, 512));
var accumulated = sweep.Run(new Setting(AccumulationRate, 64, Accumulation: 8));
double gap = real.Losses.Zip(accumulated.Losses).Max(p => Math.Abs(p.First - p.Second));
Console.WriteLine($"gradient accumulation at lr {AccumulationRate}, {samples / 512} steps of 512 samples:");
Console.WriteLine($"  real batch 512:               final loss {real.FinalLoss:F4}, test loss {real.TestLoss:F4}, test accuracy {real.TestAccuracy:P1}, {real.Seconds:F1} s");
Console.WriteLine($"  batch 64 × 8 accumulated:     final loss {accumulated.FinalLoss:F4}, test loss {accumulated.TestLoss:F4}, test accuracy {accumulated.TestAccuracy:P1}, {accumulated.Seconds:F1} s");
Console.WriteLine($"  largest difference between the two loss curves: {gap:G3} (float rounding: the same samples give the same steps)");

// Warm-up → cosine at batch 64: the largest stable constant rate and the next one up.
Console.WriteLine();
const int ScheduleBatch = 64;
var schedules = new List<Outcome>();
double? top = LargestStable(ScheduleBatch);
double? next = top is { } t ? rates.FirstOrDefault(r => r > t) : null;
if (top is { } stableRate)
{
    Console.WriteLine($"schedules at batch {ScheduleBatch} (warm-up: linear over the first 10 % of the steps; cosine: to 0 at the end):");
    double[] tried = next is { } n and > 0 ? [stableRate, n] : [stableRate];
    foreach (double lr in tried)
    {
        var constant = grid.TryGetValue((lr, ScheduleBatch), out var c) ? c : sweep.Run(new Setting(lr, ScheduleBatch));
        schedules.Add(constant);
        schedules.Add(sweep.Run(new Setting(lr, ScheduleBatch, Schedule: Schedule.Cosine)));
        schedules.Add(sweep.Run(new Setting(lr, ScheduleBatch, Schedule: Schedule.WarmupCosine)));
    }

    foreach (var o in schedules)
    {
        Console.WriteLine($"  {o.Setting.Label,-40}{Describe(o)}");
    }
}

var accumulationChart = new LineChart { Title = $"lr {AccumulationRate}: accumulation vs a real batch (the curves coincide)", XLabel = "thousands of samples seen", YLabel = "cross-entropy loss", LogY = true }
    .Add("real batch 512", real.Samples, real.Losses)
    .Add("batch 64 × 8 accumulated", accumulated.Samples, accumulated.Losses);
var scheduleChart = new LineChart { Title = $"batch {ScheduleBatch}: constant rate vs warm-up + cosine", XLabel = "thousands of samples seen", YLabel = "cross-entropy loss", LogY = true, LegendEdge = ScottPlot.Edge.Right };
foreach (var o in schedules)
{
    scheduleChart.Add($"{o.Setting.Label.Replace($", batch {ScheduleBatch}", "")}{(o.Diverged ? " (diverged)" : o.Stalled ? " (stalled)" : "")}", o.Samples, o.Losses);
}

Save("lr-sweep-schedules.png", "accumulation and schedule curves", 1400, 500, accumulationChart, scheduleChart);
Console.WriteLine();
Console.WriteLine($"total {wall.Elapsed.TotalSeconds:F1} s");
return 0;

double? LargestStable(int batch) =>
    rates.Where(lr => !grid[(lr, batch)].Diverged && !grid[(lr, batch)].Stalled).Select(lr => (double?)lr).LastOrDefault();

// A cell: final loss and test accuracy, with the status when not stable (and the peak loss when it blew up).
static string Describe(Outcome o) => o.DivergedAt is { } at
    ? $"diverged: NaN at {at:N0}"
    : $"{o.FinalLoss:F3} {o.TestAccuracy,6:P1}{(o.Diverged ? " diverged" : o.Stalled ? " stalled" : "")}{(o.PeakLoss > 10 * o.InitialLoss ? $" ^{o.PeakLoss:0.#e0}" : "")}";

void Save(string file, string what, int width, int height, params LineChart[] charts)
{
    string path = Path.Combine(outputDirectory!, file);
    Console.WriteLine(Png.Outcome(path, LineChart.TrySave(path, width, height, charts), what));
}
