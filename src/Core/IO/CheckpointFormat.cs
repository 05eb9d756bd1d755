using System.Globalization;
using TensorGrad.Optim;

namespace TensorGrad.IO;

/// <summary>
/// The layout of a training checkpoint inside a safetensors file: tensors <c>model.{parameter}</c>
/// and <c>optimizer.{buffer}</c>, and metadata strings for the format tag, the epoch and the
/// optimizer's scalars (type, learning rate, step counts).
/// </summary>
internal static class CheckpointFormat
{
    public const string Tag = "tensorgrad.checkpoint/1";
    public const string FormatKey = "format";
    public const string EpochKey = "epoch";
    public const string ModelPrefix = "model.";
    public const string OptimizerPrefix = "optimizer.";
    public const string OptimizerKey = "optimizer";
    private const string LearningRateKey = "optimizer.lr";
    private const string StepCountKey = "optimizer.step_count";
    private const string ParameterStepsKey = "optimizer.parameter_steps";

    /// <summary>True for metadata keys the format uses itself: callers cannot set them.</summary>
    public static bool IsReserved(string key) =>
        key is FormatKey or EpochKey or OptimizerKey || key.StartsWith(OptimizerPrefix, StringComparison.Ordinal);

    /// <summary>Adds the optimizer's scalars to <paramref name="metadata"/>.</summary>
    public static void Describe(OptimizerState state, OrderedDictionary<string, string> metadata)
    {
        metadata.Add(OptimizerKey, state.Optimizer);
        metadata.Add(LearningRateKey, state.LearningRate.ToString("R", CultureInfo.InvariantCulture));
        metadata.Add(StepCountKey, state.StepCount.ToString(CultureInfo.InvariantCulture));
        metadata.Add(ParameterStepsKey, string.Join(',', state.ParameterSteps.Select(s => s.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>The optimizer state stored in a checkpoint, or null when it was saved without one.</summary>
    public static OptimizerState? ReadOptimizerState(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, Tensor> buffers)
    {
        if (!metadata.TryGetValue(OptimizerKey, out string? type))
        {
            return null;
        }

        string lr = Required(path, metadata, LearningRateKey);
        if (!double.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out double learningRate))
        {
            throw Invalid(path, $"metadata '{LearningRateKey}' is '{lr}', not a number");
        }

        int stepCount = ReadCount(path, metadata, StepCountKey);
        var steps = Required(path, metadata, ParameterStepsKey).Split(',').Select(s => Count(path, ParameterStepsKey, s)).ToList();
        return new OptimizerState(type, learningRate, stepCount, steps, buffers);
    }

    /// <summary>The non-negative integer stored under <paramref name="key"/>.</summary>
    public static int ReadCount(string path, IReadOnlyDictionary<string, string> metadata, string key) =>
        Count(path, key, Required(path, metadata, key));

    /// <summary>The exception for a file that is valid safetensors but not a valid checkpoint.</summary>
    public static InvalidDataException Invalid(string path, string problem) => new($"Checkpoint.Load('{path}'): {problem}.");

    private static string Required(string path, IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? value) ? value : throw Invalid(path, $"metadata '{key}' is missing");

    private static int Count(string path, string key, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Invalid(path, $"metadata '{key}' holds '{text}', not a non-negative integer");
}
