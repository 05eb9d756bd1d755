using System.Text.Json;
using System.Text.Json.Serialization;

namespace TensorGrad.Lab;

/// <summary>
/// What the page's controls choose, as the page sends it (JSON, camelCase, every field present).
/// <see cref="Problems"/> checks every value on the server: the page's own limits are not trusted.
/// </summary>
public sealed record LabSettings
{
    /// <summary>The page's initial settings: a stable ReLU net.</summary>
    public static readonly LabSettings Default = new()
    {
        LearningRate = 0.01,
        BatchSize = 64,
        ClipNorm = null,
        Schedule = false,
        Optimizer = "sgd",
        Depth = 4,
        Activation = "relu",
        Residual = false,
        Init = "default",
    };

    public const double MinLearningRate = 1e-4;
    public const double MaxLearningRate = 10;
    public const int MaxBatchSize = 1024;
    public const int MinDepth = 2;
    public const int MaxDepth = 16;

    /// <summary>Peak learning rate, 1e-4 to 10.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Samples per step: a power of two from 1 to 1024.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Largest global gradient norm (clipping), or null for no clipping.</summary>
    public required double? ClipNorm { get; init; }

    /// <summary>Linear warm-up over the first 5 % of the steps, then cosine annealing; false keeps the rate constant.</summary>
    public required bool Schedule { get; init; }

    /// <summary>"sgd" (momentum 0.9) or "adam".</summary>
    public required string Optimizer { get; init; }

    /// <summary>Linear layers, 2 to 16.</summary>
    public required int Depth { get; init; }

    /// <summary>"sigmoid", "tanh" or "relu".</summary>
    public required string Activation { get; init; }

    /// <summary>Hidden layers as pre-norm residual blocks x + Linear(act(LayerNorm(x))).</summary>
    public required bool Residual { get; init; }

    /// <summary>"default" (PyTorch's), "xavier" or "he".</summary>
    public required string Init { get; init; }

    /// <summary>Every way these settings are out of range (empty when they are fine).</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        if (!double.IsFinite(LearningRate) || LearningRate < MinLearningRate || LearningRate > MaxLearningRate)
        {
            problems.Add($"learningRate must be between {MinLearningRate} and {MaxLearningRate}, got {LearningRate}");
        }

        if (BatchSize < 1 || BatchSize > MaxBatchSize || (BatchSize & (BatchSize - 1)) != 0)
        {
            problems.Add($"batchSize must be a power of two from 1 to {MaxBatchSize}, got {BatchSize}");
        }

        if (ClipNorm is { } clip && (!double.IsFinite(clip) || clip <= 0 || clip > 1000))
        {
            problems.Add($"clipNorm must be null (off) or in (0, 1000], got {clip}");
        }

        if (Optimizer is not ("sgd" or "adam"))
        {
            problems.Add($"optimizer must be \"sgd\" or \"adam\", got \"{Optimizer}\"");
        }

        if (Depth < MinDepth || Depth > MaxDepth)
        {
            problems.Add($"depth must be between {MinDepth} and {MaxDepth}, got {Depth}");
        }

        if (Activation is not ("sigmoid" or "tanh" or "relu"))
        {
            problems.Add($"activation must be \"sigmoid\", \"tanh\" or \"relu\", got \"{Activation}\"");
        }

        if (Init is not ("default" or "xavier" or "he"))
        {
            problems.Add($"init must be \"default\", \"xavier\" or \"he\", got \"{Init}\"");
        }

        return problems;
    }
}

/// <summary>The JSON options of every message: camelCase, strict about unknown fields.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(LabSettings))]
[JsonSerializable(typeof(LabUpdate))]
[JsonSerializable(typeof(LabError))]
[JsonSerializable(typeof(SessionStarted))]
public sealed partial class LabJson : JsonSerializerContext;

/// <summary>An error for the page to show.</summary>
public sealed record LabError(string Error);

/// <summary>A new session's id.</summary>
public sealed record SessionStarted(string Id, int Sessions, int MaxSessions);
