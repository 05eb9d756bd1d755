namespace TensorGrad.Metrics;

/// <summary>Classification accuracy.</summary>
public static class Accuracy
{
    /// <summary>The fraction of rows of <paramref name="scores"/> [B, classes] whose arg-max equals the class id in <paramref name="classIds"/> [B].</summary>
    public static double Of(Tensor scores, Tensor classIds)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var matrix = new ConfusionMatrix(Math.Max(2, scores.Rank == 2 ? scores.Shape[1] : 0));
        matrix.Add(scores, classIds);
        return matrix.Accuracy;
    }
}
