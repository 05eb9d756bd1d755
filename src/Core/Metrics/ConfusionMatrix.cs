using System.Globalization;
using System.Text;

namespace TensorGrad.Metrics;

/// <summary>
/// Counts of (actual class, predicted class) pairs for a classifier, with accuracy and per-class
/// precision and recall. Feed it logits or class scores [B, classes] and class ids [B].
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] counts;

    /// <summary>Creates an empty matrix for <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Classes = classes;
        counts = new long[classes, classes];
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[actual, predicted];

    /// <summary>The fraction of samples predicted correctly (0 when empty).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Enumerable.Range(0, Classes).Sum(c => counts[c, c]) / Total;

    /// <summary>Counts the arg-max predictions of <paramref name="scores"/> [B, classes] against <paramref name="classIds"/> [B].</summary>
    public void Add(Tensor scores, Tensor classIds)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(classIds);
        if (scores.Rank != 2 || scores.Shape[1] != Classes || classIds.Shape != new Shape(scores.Shape[0]))
        {
            throw new ArgumentException($"ConfusionMatrix.Add: expected scores [B, {Classes}] and class ids [B], got {scores.Shape} and {classIds.Shape} on {scores.Device}.");
        }

        using var predicted = scores.ArgMax(1);
        Add(predicted.ToArray(), classIds.ToArray());
    }

    /// <summary>Counts <paramref name="predicted"/> against <paramref name="actual"/> class ids (equal lengths).</summary>
    public void Add(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length)
        {
            throw new ArgumentException($"ConfusionMatrix.Add: {predicted.Length} predictions for {actual.Length} labels.");
        }

        for (int i = 0; i < actual.Length; i++)
        {
            counts[ClassId(actual[i], i, "label"), ClassId(predicted[i], i, "prediction")]++;
        }

        Total += actual.Length;
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/> (0 if none).</summary>
    public double Precision(int c)
    {
        long column = Enumerable.Range(0, Classes).Sum(a => counts[a, c]);
        return column == 0 ? 0 : (double)counts[c, c] / column;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/> (0 if none).</summary>
    public double Recall(int c)
    {
        long row = Enumerable.Range(0, Classes).Sum(p => counts[c, p]);
        return row == 0 ? 0 : (double)counts[c, c] / row;
    }

    /// <summary>A text table: one row per actual class, one column per predicted class, then recall.</summary>
    public override string ToString()
    {
        int width = Math.Max(5, Total.ToString(CultureInfo.InvariantCulture).Length + 1);
        var text = new StringBuilder("actual\\pred".PadRight(12));
        for (int p = 0; p < Classes; p++)
        {
            text.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        }

        text.AppendLine("  recall");
        for (int a = 0; a < Classes; a++)
        {
            text.Append(a.ToString(CultureInfo.InvariantCulture).PadRight(12));
            for (int p = 0; p < Classes; p++)
            {
                text.Append(counts[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }

            text.Append(CultureInfo.InvariantCulture, $"  {Recall(a):P1}").AppendLine();
        }

        return text.ToString();
    }

    private int ClassId(float value, int index, string what)
    {
        int id = (int)value;
        if (id != value || id < 0 || id >= Classes)
        {
            throw new ArgumentException($"ConfusionMatrix.Add: {what} {index} is {value}, not a class id in [0, {Classes}).");
        }

        return id;
    }
}
