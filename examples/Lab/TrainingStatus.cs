using System.Globalization;

namespace TensorGrad.Lab;

/// <summary>
/// Says in words how training goes, from the loss and gradient history: NaN (with the op that
/// made it), diverging, vanishing gradients, stalled, or stable; the first that applies.
/// </summary>
public sealed class TrainingStatus
{
    /// <summary>Steps of smoothing for the loss the rules look at.</summary>
    public const double Smoothing = 0.05;

    /// <summary>How far the smoothed loss must rise above its lowest point (and above its start) to count as diverging.</summary>
    public const double DivergenceFactor = 100;

    /// <summary>First-layer over last-layer gradient norm below which gradients count as vanishing.</summary>
    public const double VanishingRatio = 1e-4;

    /// <summary>Steps after which a loss still near its start counts as stalled.</summary>
    public const int StallSteps = 300;

    private double smoothed = double.NaN;
    private double initial = double.NaN;
    private double lowest = double.PositiveInfinity;
    private int lowestStep;
    private int? divergedAt;
    private string? stopped;

    /// <summary>The status line.</summary>
    public string Text { get; private set; } = "starting";

    /// <summary>The status's kind: starting, stable, diverging, nan, vanishing, stalled or error.</summary>
    public string Kind { get; private set; } = "starting";

    /// <summary>The smoothed loss.</summary>
    public double SmoothedLoss => smoothed;

    /// <summary>Takes step <paramref name="step"/>'s loss and Linear-layer gradient norms (input side first).</summary>
    public void Observe(int step, double loss, IReadOnlyList<double> gradientNorms)
    {
        if (stopped is not null)
        {
            return;
        }

        if (double.IsFinite(loss))
        {
            smoothed = double.IsNaN(smoothed) ? loss : smoothed + (Smoothing * (loss - smoothed));
            initial = double.IsNaN(initial) ? loss : initial;
            if (smoothed < lowest)
            {
                (lowest, lowestStep) = (smoothed, step);
            }

            // Worse than at the start, and far above the best so far: a loss that wobbles from
            // 1e-7 to 1e-5 near zero is not diverging.
            if (divergedAt is null && smoothed > DivergenceFactor * lowest && smoothed > initial)
            {
                divergedAt = lowestStep;
            }
        }

        double ratio = gradientNorms.Count > 1 && gradientNorms[^1] > 0 ? gradientNorms[0] / gradientNorms[^1] : double.NaN;
        (Kind, Text) = Classify(step, ratio);
    }

    /// <summary>Records that step <paramref name="step"/> produced a NaN or infinity in <paramref name="op"/> (from anomaly detection).</summary>
    public void NotANumber(int step, string op)
    {
        stopped = $"NaN at step {step} (op {op})";
        string prefix = divergedAt is { } since ? $"diverging: loss ×{DivergenceFactor:0} since step {since}; " : "";
        (Kind, Text) = ("nan", prefix + stopped);
    }

    /// <summary>Records that training stopped with <paramref name="message"/>.</summary>
    public void Failed(string message)
    {
        stopped = message;
        (Kind, Text) = ("error", $"training stopped: {message}");
    }

    private (string Kind, string Text) Classify(int step, double ratio)
    {
        if (divergedAt is { } since)
        {
            return ("diverging", $"diverging: loss ×{DivergenceFactor:0} since step {since}");
        }

        if (ratio < VanishingRatio)
        {
            return ("vanishing", ratio == 0 ? "vanishing: no gradient reaches the first layer" : $"vanishing: first-layer gradient {PowerOfTen(ratio)} of the last");
        }

        if (step >= StallSteps && smoothed > 0.95 * initial)
        {
            return ("stalled", $"stalled: loss {smoothed:0.###} after {step} steps (it started at {initial:0.###})");
        }

        return ("stable", "stable");
    }

    /// <summary>10 to the nearest power: 3.2e-7 → "10⁻⁷".</summary>
    public static string PowerOfTen(double value)
    {
        int exponent = (int)Math.Round(Math.Log10(value));
        const string superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        string digits = string.Concat(Math.Abs(exponent).ToString(CultureInfo.InvariantCulture).Select(c => superscripts[c - '0']));
        return $"10{(exponent < 0 ? "⁻" : "")}{digits}";
    }
}
