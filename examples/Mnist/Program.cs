// Trains a multilayer perceptron on the bundled MNIST sample (8,000 training and 2,000 test
// digits) and shows it learning: a live progress bar per epoch (one summary line per epoch when
// the output is not a terminal), the test accuracy and confusion matrix at the end, and a PNG
// of the training curves. `dotnet run --project examples/Mnist -c Release` does the whole run.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MnistExample;
using TensorGrad.Examples.Common;

// Numbers print the same everywhere (1,234.5), so logs of different machines compare.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var data = new Option<string?>("--data")
{
    Description = "Directory with the MNIST IDX files (train-images-idx3-ubyte[.gz] etc.) [default: the repository's data/mnist-sample]",
    HelpName = "dir",
};
var device = new Option<string>("--device")
{
    Description = "Where to train: cpu, cuda[:i], opencl[:i] or auto (the best available)",
    DefaultValueFactory = _ => "cpu",
    HelpName = "cpu|cuda|opencl|auto",
};
var epochs = Checked("--epochs", "Number of epochs (a resumed run continues up to it)", 10, v => v > 0, "> 0");
var batchSize = Checked("--batch-size", "Samples per training step", 64, v => v > 0, "> 0");
var augment = Checked("--augment", $"Shifted copies (up to {Augment.MaxShift} px) of each training digit added to the training set; 0 for none", 4, v => v is >= 0 and <= 20, "between 0 and 20");
var lr = Checked("--lr", $"Initial learning rate, multiplied by {Training.LearningRateDecay} after each epoch [default: 0.001 for adam, 0.05 for sgd]", 0.0, v => v > 0 && double.IsFinite(v), "> 0");
lr.DefaultValueFactory = null; // the default depends on --optimizer

var optimizer = new Option<string>("--optimizer") { Description = "adam, or sgd with momentum 0.9", DefaultValueFactory = _ => "adam" };
optimizer.AcceptOnlyFromAmong("adam", "sgd");
int[] defaultHidden = [256, 128];
var hidden = new Option<int[]?>("--hidden")
{
    Description = $"Hidden layer widths, comma-separated (\"\" for none: a linear classifier) [default: {string.Join(',', defaultHidden)}]",
    CustomParser = ParseWidths,
    HelpName = "n,n,...",
};
var seed = Checked("--seed", "Seed of the initialization, the augmentation and the shuffling", 1, _ => true, "");
var expect = Checked("--expect-accuracy", "Exit with code 3 if the final test accuracy is below this percentage (for CI)", 0.0, v => v is >= 0 and <= 100, "in [0, 100]");
expect.HelpName = "percent";
expect.DefaultValueFactory = null;
var checkpoint = new Option<string?>("--checkpoint") { Description = "Save model and optimizer to this file after each epoch", HelpName = "path" };
var resume = new Option<string?>("--resume") { Description = "Resume from a checkpoint saved with --checkpoint", HelpName = "path" };
var plot = new Option<string>("--plot")
{
    Description = "PNG of the loss and accuracy curves (\"\" for none)",
    DefaultValueFactory = _ => "mnist-training.png",
    HelpName = "path",
};

var model = new Option<string>("--model") { Description = $"mlp (Linear layers of --hidden widths) or cnn ({Training.CnnArchitecture})", DefaultValueFactory = _ => "mlp" };
model.AcceptOnlyFromAmong("mlp", "cnn");
var norm = new Option<string>("--norm") { Description = "Normalization after each hidden Linear layer: none, batch (BatchNorm1d) or layer (LayerNorm)", DefaultValueFactory = _ => "none" };
norm.AcceptOnlyFromAmong("none", "batch", "layer");
var dropout = Checked("--dropout", "Dropout probability after each hidden layer's ReLU; 0 for none [default: 0 for mlp, 0.5 for cnn]", 0.0, v => v is >= 0 and < 1, "in [0, 1)");
dropout.DefaultValueFactory = null; // the default depends on --model

var exportOnnx = new Option<string?>("--export-onnx") { Description = "Export the trained model to this ONNX file and check ONNX Runtime's test accuracy on it against TensorGrad's", HelpName = "path" };

var graph = new Option<bool>("--graph")
{
    Description = "Capture the training step (forward, loss, backward) in a KernelGraph on the first batch and replay it for every full batch: no per-step allocation",
};

var stepInBackward = new Option<bool>("--step-in-backward")
{
    Description = "Update each parameter during the backward pass, as soon as its gradient is complete (Optimizer.StepInBackward): no Step() call and no gradients kept, the same parameters as the usual step",
};

var distributed = new Option<bool>("--distributed")
{
    Description = "Train data-parallel over the processes of an MPI job: start it with `mpirun -np N dotnet Mnist.dll --distributed` (each rank takes 1/N of every batch; rank 0 reports and saves)",
};

var root = new RootCommand("Train an MLP on MNIST digits with TensorGrad.")
{
    data, device, epochs, batchSize, augment, lr, optimizer, model, hidden, norm, dropout, seed, checkpoint, resume, plot, expect, graph, stepInBackward, exportOnnx, distributed,
};
root.SetAction(result =>
{
    string? directory = result.GetValue(data) ?? DataSet.FindBundled();
    if (directory is null)
    {
        return Fail($"could not find {DataSet.BundledRelativePath} above the current directory or the program; pass --data DIR.");
    }

    if (!Directory.Exists(directory))
    {
        return Fail($"--data: the directory '{directory}' does not exist.");
    }

    string? resumePath = result.GetValue(resume);
    if (resumePath is not null && !File.Exists(resumePath))
    {
        return Fail($"--resume: the checkpoint '{resumePath}' does not exist.");
    }

    string? checkpointPath = result.GetValue(checkpoint);
    if (checkpointPath is not null && Checks.CreateFolderOf(checkpointPath) is { } problem)
    {
        return Fail($"--checkpoint: cannot write '{checkpointPath}': {problem}");
    }

    if (Checks.ChooseDevice(result.GetValue(device)!, out var chosen) is { } unavailable)
    {
        return Fail(unavailable);
    }

    string optimizerName = result.GetValue(optimizer)!;
    double learningRate = result.GetResult(lr) is null ? (optimizerName == "sgd" ? 0.05 : 1e-3) : result.GetValue(lr);

    // An absent Option<int[]> reads as [], so "not given" is told apart from --hidden "" here.
    int[] widths = result.GetResult(hidden) is null ? defaultHidden : result.GetValue(hidden)!;
    string modelName = result.GetValue(model)!;
    if (modelName == "cnn" && (result.GetResult(hidden) is not null || result.GetValue(norm) != "none"))
    {
        return Fail("--hidden and --norm shape the MLP; --model cnn has fixed layers (--dropout sets its dropout).");
    }

    if (result.GetValue(stepInBackward) && result.GetValue(distributed))
    {
        return Fail("--step-in-backward updates each parameter before the ranks' gradients are averaged; train data-parallel without it.");
    }

    string plotPath = result.GetValue(plot)!;
    var settings = new Settings(directory, chosen, result.GetValue(epochs), result.GetValue(batchSize), result.GetValue(augment),
        learningRate, optimizerName, modelName, widths, result.GetValue(norm)!, result.GetResult(dropout) is null ? (modelName == "cnn" ? 0.5 : 0) : result.GetValue(dropout), result.GetValue(seed), checkpointPath, resumePath, plotPath.Length == 0 ? null : plotPath,
        result.GetResult(expect) is null ? null : result.GetValue(expect) / 100, result.GetValue(graph), result.GetValue(stepInBackward), result.GetValue(exportOnnx), result.GetValue(distributed));
    return Run.Execute(settings);
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

// An option parsed with the invariant culture and checked against a rule, failing with a clear message.
static Option<T> Checked<T>(string name, string description, T defaultValue, Func<T, bool> valid, string rule)
    where T : IParsable<T>
{
    return new Option<T>(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            if (!T.TryParse(text, CultureInfo.InvariantCulture, out var value) || !valid(value))
            {
                string kind = typeof(T) == typeof(int) ? "an integer" : "a number";
                result.AddError($"{name} must be {kind}{(rule.Length > 0 ? " " + rule : "")}, got '{text}'.");
                return defaultValue;
            }

            return value;
        },
    };
}

static int[] ParseWidths(ArgumentResult result)
{
    string text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
    var widths = new List<int>();
    foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
    {
        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int width) || width <= 0)
        {
            result.AddError($"--hidden: '{part}' is not a layer width > 0; use e.g. --hidden 256,128.");
            return [];
        }

        widths.Add(width);
    }

    return [.. widths];
}

static int Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}
