using TensorGrad;

namespace MnistExample;

/// <summary>Everything one training run needs, validated by the command line.</summary>
/// <param name="DataDirectory">Directory with the four MNIST IDX files (plain or .gz).</param>
/// <param name="Device">Where the model trains.</param>
/// <param name="Epochs">Total number of epochs (a resumed run continues up to it).</param>
/// <param name="BatchSize">Samples per training step.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="Optimizer">"adam" or "sgd" (with momentum 0.9).</param>
/// <param name="ShiftedCopies">Shifted copies of each training digit added to the training set (0: none).</param>
/// <param name="Model">"mlp" (Linear layers of <paramref name="Hidden"/> widths) or "cnn" (the LeNet-style <see cref="Training.Cnn"/>).</param>
/// <param name="Hidden">Hidden layer widths of the MLP, input to output.</param>
/// <param name="Norm">Normalization after each hidden Linear layer: "none", "batch" or "layer".</param>
/// <param name="Dropout">Dropout probability after each hidden layer's ReLU (0: none).</param>
/// <param name="Seed">Seed of the initialization and of the shuffling.</param>
/// <param name="CheckpointPath">Where to save after each epoch, or null.</param>
/// <param name="ResumePath">Checkpoint to resume from, or null.</param>
/// <param name="PlotPath">Where to write the PNG of the training curves, or null for none.</param>
/// <param name="ExpectedAccuracy">Test accuracy (a fraction) below which the run fails, or null.</param>
/// <param name="Graph">Whether full training batches replay a <see cref="KernelGraph"/> captured on the first one.</param>
/// <param name="StepInBackward">Whether the optimizer steps in the backward pass (<see cref="TensorGrad.Optim.Optimizer.StepInBackward"/>).</param>
/// <param name="OnnxPath">Where to export the trained model as ONNX (then checked with ONNX Runtime), or null.</param>
/// <param name="Distributed">Whether to train data-parallel over the MPI job this process belongs to.</param>
internal sealed record Settings(
    string DataDirectory,
    Device Device,
    int Epochs,
    int BatchSize,
    int ShiftedCopies,
    double LearningRate,
    string Optimizer,
    string Model,
    int[] Hidden,
    string Norm,
    double Dropout,
    int Seed,
    string? CheckpointPath,
    string? ResumePath,
    string? PlotPath,
    double? ExpectedAccuracy,
    bool Graph,
    bool StepInBackward,
    string? OnnxPath,
    bool Distributed)
{
    /// <summary>The network as text, e.g. "784-256-128-10", or the CNN's layers.</summary>
    public string Architecture => Model == "cnn" ? Training.CnnArchitecture : string.Join("-", [DataSet.Pixels, .. Hidden, DataSet.Classes]);

    /// <summary>The hyperparameters that define the run, stored in checkpoints and compared on resume.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["architecture"] = Architecture,
        ["optimizer"] = Optimizer,
        ["lr"] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["augment"] = ShiftedCopies.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["norm"] = Norm,
        ["dropout"] = Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
