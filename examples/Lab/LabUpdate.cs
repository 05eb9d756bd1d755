namespace TensorGrad.Lab;

/// <summary>What the page receives about ten times a second.</summary>
/// <param name="Run">Counts the restarts: a new run (new settings) has a higher number.</param>
/// <param name="Step">Steps done in this run.</param>
/// <param name="Losses">The [step, loss] points since the previous update.</param>
/// <param name="SmoothedLoss">The smoothed training loss the status rules read.</param>
/// <param name="TestAccuracy">Accuracy on the MNIST sample's test digits, last measured at <paramref name="AccuracyStep"/>.</param>
/// <param name="AccuracyStep">The step of <paramref name="TestAccuracy"/>.</param>
/// <param name="GradientNorms">Each Linear layer's weight-gradient norm at the last step, input side first.</param>
/// <param name="Status">The status line in words.</param>
/// <param name="StatusKind">starting, stable, diverging, nan, vanishing or stalled.</param>
/// <param name="SamplesPerSecond">Training throughput over the last second.</param>
/// <param name="Replayed">Whether steps replay a captured KernelGraph.</param>
/// <param name="Error">The last problem with a message from the page, or null.</param>
public sealed record LabUpdate(
    int Run,
    int Step,
    double[][] Losses,
    double SmoothedLoss,
    double TestAccuracy,
    int AccuracyStep,
    double[] GradientNorms,
    string Status,
    string StatusKind,
    double SamplesPerSecond,
    bool Replayed,
    string? Error);
