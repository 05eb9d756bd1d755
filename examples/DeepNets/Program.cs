// Deep networks on the bundled MNIST sample: four MLPs with the same depth (32 Linear layers by
// default) and width (128), trained with the same Adam optimizer and budget:
//   tanh (gradients vanish toward the input), ReLU with He init, pre-norm residual blocks with
//   LayerNorm, and BatchNorm after each Linear.
// It prints each net's test accuracy and per-layer gradient norms (the first/last layer ratio
// shows vanishing) and writes docs/deep-nets.png.
// `dotnet run --project examples/DeepNets -c Release` runs everything.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DeepNetsExample;
using TensorGrad;
using TensorGrad.Data;
using TensorGrad.Examples.Common;
using TensorGrad.Metrics;
using TensorGrad.Nn;
using TensorGrad.Optim;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var dataOption = new Option<string?>("--data") { Description = "Directory with the MNIST IDX files [default: the repository's data/mnist-sample]", HelpName = "dir" };
var outOption = new Option<string?>("--out") { Description = "Where the PNG goes [default: the repository's docs/]", HelpName = "dir" };
var epochsOption = new Option<int>("--epochs") { Description = "Epochs per net", DefaultValueFactory = _ => 10 };
var augmentOption = new Option<int>("--augment") { Description = $"Shifted copies (up to {Augment.MaxShift} px) of each training digit added to the training set", DefaultValueFactory = _ => 4 };
var batchOption = new Option<int>("--batch-size") { Description = "Samples per step", DefaultValueFactory = _ => 64 };
var lrOption = new Option<double>("--lr") { Description = "Adam's initial learning rate, annealed to 0 along a cosine", DefaultValueFactory = _ => 1e-3 };
var depthOption = new Option<int>("--depth") { Description = "Linear layers per net", DefaultValueFactory = _ => 32 };
var widthOption = new Option<int>("--width") { Description = "Width of the hidden layers", DefaultValueFactory = _ => 128 };
var seedOption = new Option<int>("--seed") { Description = "Seed of the initialization and the shuffling", DefaultValueFactory = _ => 1 };
var expectOption = new Option<double>("--expect-accuracy") { Description = "Exit with code 3 if the pre-norm residual net or the BatchNorm net ends below this percentage (for CI)", DefaultValueFactory = _ => 0 };
foreach (var option in new Option<int>[] { epochsOption, batchOption, depthOption, widthOption })
{
    option.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) { r.AddError($"{option.Name} must be > 0"); } });
}

var root = new RootCommand("Train four deep MLPs on MNIST and compare how their gradients reach the first layers.")
{
    dataOption, outOption, epochsOption, augmentOption, batchOption, lrOption, depthOption, widthOption, seedOption, expectOption,
};
root.SetAction(parse => Run(
    parse.GetValue(dataOption) ?? RepositoryPaths.FindMnistSample() ?? RepositoryPaths.MnistSampleRelative,
    parse.GetValue(outOption) ?? RepositoryPaths.FindDocs(),
    parse.GetValue(epochsOption),
    parse.GetValue(augmentOption),
    parse.GetValue(batchOption),
    parse.GetValue(lrOption),
    parse.GetValue(depthOption),
    parse.GetValue(widthOption),
    parse.GetValue(seedOption),
    parse.GetValue(expectOption)));
return root.Parse(args).Invoke();

static int Run(string dataDirectory, string? outputDirectory, int epochs, int augment, int batchSize, double lr, int depth, int width, int seed, double expect)
{
    if (MnistSample.LoadOrReport(dataDirectory) is not { } data)
    {
        return 1;
    }

    var (testX, testY) = data.Test.ToTensors();
    var train = Augment.WithShiftedCopies(data.Train, augment, Augment.MaxShift, seed);
    Console.WriteLine($"MNIST sample: {data.Train.Count:N0} training digits with {augment} shifted copies each, {data.Test.Count:N0} test digits; {depth} Linear layers of width {width}; Adam lr {lr} annealed to 0 along a cosine, batch {batchSize}, {epochs} epochs, seed {seed}");
    var runs = new List<RunReport>();
    foreach (var (name, build) in Networks.All)
    {
        Init.ManualSeed(seed);
        var model = build(depth, width);
        var wall = Stopwatch.StartNew();
        var report = Train(name, model, train, testX, testY, epochs, batchSize, lr, seed);
        runs.Add(report);
        Console.WriteLine($"  {name,-32} test accuracy {report.TestAccuracy,7:P2}   first/last gradient norm at step 0 {report.Ratio(0),9:G3}, median {report.MedianRatio,9:G3}   ({wall.Elapsed.TotalSeconds:F0} s)");
    }

    Console.WriteLine();
    Console.WriteLine("gradient norm of each Linear layer's weight at step 0 (1 = input side)");
    Console.WriteLine($"{"layer",6}" + string.Concat(runs.Select(r => $"{Short(r.Name),16}")));
    int layers = runs[0].Norms[0].Length;
    foreach (int l in new[] { 0, 1, 2, layers / 4, layers / 2, 3 * layers / 4, layers - 2, layers - 1 }.Distinct().Where(l => l >= 0 && l < layers))
    {
        Console.WriteLine($"{l + 1,6}" + string.Concat(runs.Select(r => $"{r.Norms[0][l],16:G3}")));
    }

    if (outputDirectory is not null)
    {
        var xs = Enumerable.Range(1, layers).Select(i => (double)i).ToArray();
        var atStart = new LineChart { Title = "gradient norm per Linear layer, step 0", XLabel = "Linear layer (1 = input side)", YLabel = "L2 norm of the weight's gradient", LogY = true, Markers = true, IntegerX = true, LegendAlignment = ScottPlot.Alignment.LowerRight };
        var mean = new LineChart { Title = "the same, mean over training", XLabel = "Linear layer (1 = input side)", YLabel = "L2 norm of the weight's gradient", LogY = true, Markers = true, IntegerX = true, LegendAlignment = ScottPlot.Alignment.LowerRight };
        foreach (var run in runs)
        {
            atStart.Add($"{run.Name} ({run.TestAccuracy:P1})", xs, run.Norms[0]);
            mean.Add(run.Name, xs, [.. Enumerable.Range(0, layers).Select(l => run.Norms.Average(step => step[l]))]);
        }

        string path = Path.Combine(outputDirectory, "deep-nets.png");
        Console.WriteLine(Png.Outcome(path, LineChart.TrySave(path, 1400, 550, atStart, mean), "per-layer gradient norms"));
    }

    // The two fixes for depth, residual connections and normalization, must train the deep net.
    var failed = runs.Where(r => (r.Name.Contains("residual", StringComparison.Ordinal) || r.Name.Contains("BatchNorm", StringComparison.Ordinal)) && r.TestAccuracy * 100 < expect).ToList();
    foreach (var run in failed)
    {
        Console.Error.WriteLine($"error: the {run.Name} net ended at {run.TestAccuracy:P2}, below {expect}%");
    }

    return failed.Count > 0 ? 3 : 0;
}

static RunReport Train(string name, Sequential model, InMemoryDataset train, Tensor testX, Tensor testY, int epochs, int batchSize, double lr, int seed)
{
    var optimizer = new Adam(model.Parameters(), lr: lr);
    var schedule = new CosineAnnealing(optimizer, epochs * (train.Count / batchSize));
    var linears = model.NamedModules().Select(m => m.Module).OfType<Linear>().ToArray();
    var norms = new List<double[]>();
    using var loader = new DataLoader(train, batchSize, shuffle: true, seed: seed, dropLast: true);
    model.Train();
    for (int epoch = 0; epoch < epochs; epoch++)
    {
        foreach (var (x, y) in loader)
        {
            using var tape = Tape.Begin();
            var loss = Loss.CrossEntropy(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            norms.Add([.. linears.Select(l => GradClip.GlobalNorm([l.Weight]))]);
            optimizer.Step();
            schedule.Step();
        }
    }

    model.Eval();
    using var evaluation = Tape.Begin(recordGradients: false);
    return new RunReport(name, Accuracy.Of(model.Forward(testX), testY), norms);
}

static string Short(string name) => name.Length <= 15 ? name : name[..15];

/// <summary>One net's outcome: its test accuracy and the gradient norm of every Linear weight at every step.</summary>
internal sealed record RunReport(string Name, double TestAccuracy, List<double[]> Norms)
{
    /// <summary>First layer's gradient norm over the last layer's at <paramref name="step"/>.</summary>
    public double Ratio(int step) => Norms[step][0] / Norms[step][^1];

    /// <summary>The median of <see cref="Ratio"/> over training.</summary>
    public double MedianRatio => Enumerable.Range(0, Norms.Count).Select(Ratio).Order().ElementAt(Norms.Count / 2);
}
