// Gradient health on the bundled MNIST sample, watched with TensorGrad's GradientMonitor:
//   (a) vanishing gradients: a deep sigmoid MLP with the default initialization against the same
//       depth with ReLU and He (Kaiming-normal, fan-in) initialization, per-layer gradient norms;
//   (b) exploding gradients: a ReLU net with a large initialization and a large SGD rate diverges
//       (the monitor's first alert, and Tape.DetectAnomaly naming the op), the same run with
//       GradClip.ClipByGlobalNorm(parameters, 1.0) trains;
//   (c) the gradients of three first-layer weights over training, in both nets of (a).
// `dotnet run --project examples/GradientHealth -c Release` runs everything and writes
// docs/gradient-health-{layers,exploding,weights}.png.
using System.Diagnostics;
using System.Globalization;
using GradientHealthExample;
using TensorGrad;
using TensorGrad.Data;
using TensorGrad.Diagnostics;
using TensorGrad.Examples.Common;
using TensorGrad.Nn;
using TensorGrad.Optim;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var (options, error) = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error is null ? Options.Usage : $"error: {error}\n{Options.Usage}");
    return error is null ? 0 : 2;
}

var wall = Stopwatch.StartNew();
if (MnistSample.LoadOrReport(options.DataDirectory) is not { } data)
{
    return 1;
}

var (testX, testY) = data.Test.ToTensors();
int steps = options.Steps;
string architecture = $"784-{Options.Depth}×{Options.Width}-10";
Console.WriteLine($"MNIST sample: {data.Train.Count:N0} training digits, {data.Test.Count:N0} test digits; {steps} SGD steps of batch {options.BatchSize} per run, seed {options.Seed}");

// The three first-layer weights of part (c): (hidden unit, pixel row, pixel column).
(int Unit, int Row, int Column)[] watched = [(3, 14, 14), (40, 10, 16), (100, 20, 9)];
string[] watchedNames = [.. watched.Select(w => $"w[{w.Unit}, pixel ({w.Row},{w.Column})]")];

// (a) Vanishing gradients.
Console.WriteLine();
Console.WriteLine($"(a) vanishing gradients: {architecture} MLPs, SGD lr {options.LearningRate}");
var sigmoid = TrainWatched("sigmoid, default init", () => Training.Mlp(Options.Depth, Options.Width, () => new Sigmoid()));
var relu = TrainWatched("ReLU, He init", () => Training.Mlp(Options.Depth, Options.Width, () => new ReLU(), w => HeNormal(w, 1)));

string[] layerNames = [.. sigmoid.Records[0].Layers.Select(l => l.Name)];
Console.WriteLine();
Console.WriteLine("gradient norm per Linear layer at step 0 (layer: module name in the Sequential)");
Console.WriteLine($"{"layer",-9}{"sigmoid",12}{"ReLU + He",12}");
for (int l = 0; l < layerNames.Length; l++)
{
    Console.WriteLine($"{$"{l + 1} ({layerNames[l]})",-9}{sigmoid.Records[0].Layers[l].GradientNorm,12:G3}{relu.Records[0].Layers[l].GradientNorm,12:G3}");
}

Console.WriteLine();
Console.WriteLine($"{"",-24}{"first/last layer gradient norm",32}{"loss",16}{"test",10}{"vanishing",11}");
Console.WriteLine($"{"",-24}{"step 0",16}{"median",16}{"start → end",16}{"accuracy",10}{"alerts",11}");
foreach (var run in new[] { sigmoid, relu })
{
    Console.WriteLine($"{run.Name,-24}{run.Ratios[0],16:G3}{Median(run.Ratios),16:G3}{$"{run.Result.Losses[0]:F3} → {run.Result.FinalLoss():F3}",16}{run.TestAccuracy,10:P1}{run.Alerts.Count(a => a.Kind == GradientAlertKind.Vanishing),11}");
}

foreach (var run in new[] { sigmoid, relu })
{
    var first = run.Alerts.FirstOrDefault(a => a.Kind == GradientAlertKind.Vanishing);
    Console.WriteLine($"first vanishing alert, {run.Name}: {first?.Message ?? "none"}");
}

int[] checkpoints = [0, steps / 2, steps - 1];
int middle = layerNames.Length / 2;
var perLayer = new LineChart { Title = "gradient norm per layer", XLabel = "Linear layer (1 = input side)", YLabel = "L2 norm of the layer's gradient", LogY = true, Markers = true, IntegerX = true, LegendAlignment = ScottPlot.Alignment.LowerRight };
foreach (var run in new[] { sigmoid, relu })
{
    foreach (int step in checkpoints)
    {
        perLayer.Add($"{run.Name}, step {step}", [.. Enumerable.Range(1, layerNames.Length).Select(i => (double)i)], [.. run.Records[step].Layers.Select(l => l.GradientNorm)]);
    }
}

var overSteps = new[] { sigmoid, relu }.Select(run =>
{
    var chart = new LineChart { Title = $"{run.Name}: gradient norm over training", XLabel = "step", YLabel = "L2 norm of the layer's gradient", LogY = true, IntegerX = true, LegendAlignment = ScottPlot.Alignment.LowerRight };
    foreach (var (layer, label) in new[] { (0, "first"), (middle, "middle"), (layerNames.Length - 1, "last") })
    {
        chart.Add($"{label} layer ({layer + 1})", [.. run.Records.Select(r => r.Layers[layer].GradientNorm)]);
    }

    return chart;
}).ToArray();
Save("gradient-health-layers.png", "per-layer gradient norms", 1650, 550, [perLayer, .. overSteps]);

// (b) Exploding gradients.
Console.WriteLine();
Console.WriteLine($"(b) exploding gradients: {architecture} ReLU MLP, He init × {options.ExplodingInitScale}, SGD lr {options.ExplodingLearningRate}");
Func<Sequential> exploding = () => Training.Mlp(Options.Depth, Options.Width, () => new ReLU(), w => HeNormal(w, options.ExplodingInitScale));
var (plain, plainAlerts, plainAccuracy, _) = TrainExploding(exploding, clip: null);
var firstAlert = plainAlerts.FirstOrDefault(a => a.Kind is GradientAlertKind.Exploding or GradientAlertKind.NonFinite);
Console.WriteLine($"without clipping: loss {plain.Losses[0]:G4} at step 0, {(plain.DivergedAt is { } at ? $"{plain.Losses[at]} at step {at} (diverged)" : $"{plain.FinalLoss():F3} at the end, test accuracy {plainAccuracy:P1}")}; max gradient norm {plain.GradientNorms.Where(double.IsFinite).Max():G3}");
Console.WriteLine($"  first alert: {(firstAlert is null ? "none" : $"{firstAlert.Kind}: {firstAlert.Message}")}");
Console.WriteLine($"  alerts: {string.Join(", ", plainAlerts.GroupBy(a => a.Kind).Select(g => $"{g.Count()} {g.Key}"))}");
if (plain.DivergedAt is { } divergedAt)
{
    Console.WriteLine($"  Tape.DetectAnomaly on a replay: {ReplayWithAnomalyDetection(exploding, divergedAt + 1)}");
}

var (clipped, clippedAlerts, clippedAccuracy, _) = TrainExploding(exploding, clip: Options.ClipNorm);
Console.WriteLine($"with GradClip.ClipByGlobalNorm(parameters, {Options.ClipNorm}): loss {clipped.Losses[0]:G4} at step 0, {(clipped.DivergedAt is { } cat ? $"{clipped.Losses[cat]} at step {cat} (diverged)" : $"{clipped.FinalLoss():F3} at the end (mean of the last 20 steps), test accuracy {clippedAccuracy:P1}")}");
Console.WriteLine($"  pre-clip gradient norm: median {Median(clipped.GradientNorms):G3}, max {clipped.GradientNorms.Where(double.IsFinite).Max():G3}; clipped at {clipped.GradientNorms.Count(n => n > Options.ClipNorm)} of {steps} steps; alerts: {(clippedAlerts.Count == 0 ? "none" : string.Join(", ", clippedAlerts.GroupBy(a => a.Kind).Select(g => $"{g.Count()} {g.Key}")))}");

var lossChart = new LineChart { Title = $"He init × {options.ExplodingInitScale}, SGD lr {options.ExplodingLearningRate}: training loss", XLabel = "step", YLabel = "cross-entropy loss", LogY = true, IntegerX = true }
    .Add(plain.DivergedAt is { } d ? $"no clipping (NaN at step {d})" : "no clipping", plain.Losses)
    .Add($"clip global norm to {Options.ClipNorm}", clipped.Losses);
var normChart = new LineChart { Title = "global gradient norm (before clipping)", XLabel = "step", YLabel = "L2 norm", LogY = true, IntegerX = true }
    .Add("no clipping", plain.GradientNorms)
    .Add($"clip global norm to {Options.ClipNorm}", clipped.GradientNorms);
Save("gradient-health-exploding.png", "exploding-gradient curves", 1200, 500, lossChart, normChart);

// (c) Watched first-layer weights.
Console.WriteLine();
Console.WriteLine("(c) gradients of three first-layer weights (model.Parameters()[0].Grad at [unit, pixel])");
Console.WriteLine($"{"weight",-26}{"net",-24}{"step 0",12}{"last step",12}{"mean |g|",12}");
foreach (var run in new[] { relu, sigmoid })
{
    for (int w = 0; w < watched.Length; w++)
    {
        var g = run.Watched[w];
        Console.WriteLine($"{watchedNames[w],-26}{run.Name,-24}{g[0],12:G3}{g[^1],12:G3}{g.Average(Math.Abs),12:G3}");
    }
}

var weightCharts = new[] { relu, sigmoid }.Select(run =>
{
    var chart = new LineChart { Title = $"{run.Name}: first-layer weight gradients", XLabel = "step", YLabel = "dLoss/dw", IntegerX = true };
    for (int w = 0; w < watched.Length; w++)
    {
        chart.Add(watchedNames[w], run.Watched[w]);
    }

    return chart;
}).ToArray();
Save("gradient-health-weights.png", "watched weight gradients", 1200, 500, weightCharts);
Console.WriteLine();
Console.WriteLine($"total {wall.Elapsed.TotalSeconds:F1} s");
return 0;

// Trains a fresh net of part (a) with a monitor and the watched weights.
WatchedRun TrainWatched(string name, Func<Sequential> build)
{
    var clock = Stopwatch.StartNew();
    Init.ManualSeed(options.Seed);
    var model = build();
    using var monitor = new GradientMonitor(model, capacity: steps);
    var alerts = new List<GradientAlert>();
    monitor.AlertRaised += alerts.Add;
    var grads = watched.Select(_ => new double[steps]).ToArray();
    var firstWeight = model.Parameters()[0];
    using var loader = new DataLoader(data.Train, options.BatchSize, shuffle: true, seed: options.Seed, dropLast: true);
    var result = Training.Run(model, new Sgd(model.Parameters(), lr: options.LearningRate), loader, steps, monitor: monitor, afterStep: step =>
    {
        var g = firstWeight.Grad!.ToArray();
        for (int w = 0; w < watched.Length; w++)
        {
            grads[w][step] = g[(watched[w].Unit * Training.Pixels) + (watched[w].Row * 28) + watched[w].Column];
        }
    });
    var records = monitor.Records.ToList();
    double[] ratios = [.. records.Select(r => r.Layers[0].GradientNorm / r.Layers[^1].GradientNorm)];
    double accuracy = Training.TestAccuracy(model, testX, testY);
    Console.WriteLine($"  {name}: {steps} steps in {clock.Elapsed.TotalSeconds:F1} s");
    return new WatchedRun(name, result, records, alerts, ratios, grads, accuracy);
}

// Trains a fresh net of part (b), with or without clipping.
(RunResult Result, List<GradientAlert> Alerts, double TestAccuracy, double Seconds) TrainExploding(Func<Sequential> build, double? clip)
{
    var clock = Stopwatch.StartNew();
    Init.ManualSeed(options.Seed);
    var model = build();
    using var monitor = new GradientMonitor(model, capacity: steps);
    var alerts = new List<GradientAlert>();
    monitor.AlertRaised += alerts.Add;
    using var loader = new DataLoader(data.Train, options.BatchSize, shuffle: true, seed: options.Seed, dropLast: true);
    var result = Training.Run(model, new Sgd(model.Parameters(), lr: options.ExplodingLearningRate), loader, steps, clip, monitor);
    double accuracy = result.DivergedAt is null ? Training.TestAccuracy(model, testX, testY) : double.NaN;
    return (result, alerts, accuracy, clock.Elapsed.TotalSeconds);
}

// Runs the diverging training again inside Tape.DetectAnomaly, which names the first op with a non-finite value.
string ReplayWithAnomalyDetection(Func<Sequential> build, int replaySteps)
{
    Init.ManualSeed(options.Seed);
    var model = build();
    using var loader = new DataLoader(data.Train, options.BatchSize, shuffle: true, seed: options.Seed, dropLast: true);
    try
    {
        using (Tape.DetectAnomaly())
        {
            Training.Run(model, new Sgd(model.Parameters(), lr: options.ExplodingLearningRate), loader, replaySteps);
        }
    }
    catch (AnomalyException e)
    {
        return e.Message;
    }

    return "no anomaly found";
}

void Save(string file, string what, int width, int height, params LineChart[] panels)
{
    string path = Path.Combine(options.OutputDirectory, file);
    Console.WriteLine(Png.Outcome(path, LineChart.TrySave(path, width, height, panels), what));
}

// He (Kaiming-normal, fan-in, ReLU gain): N(0, (scale·√(2 / fanIn))²).
static void HeNormal(Tensor weight, double scale)
{
    if (scale == 1)
    {
        Init.KaimingNormal(weight, mode: FanMode.FanIn, nonlinearity: Nonlinearity.Relu);
    }
    else
    {
        Init.Normal(weight, 0, scale * Init.Gain(Nonlinearity.Relu) / Math.Sqrt(Init.Fans(weight.Shape).FanIn));
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Where(double.IsFinite).Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
}

/// <summary>A run of part (a): its losses, monitor records and alerts, first/last ratios per step and watched gradients.</summary>
internal sealed record WatchedRun(string Name, RunResult Result, List<GradientRecord> Records, List<GradientAlert> Alerts, double[] Ratios, double[][] Watched, double TestAccuracy);
