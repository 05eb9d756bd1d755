using ScottPlot;
using TensorGrad.Examples.Common;

namespace MnistExample;

/// <summary>The PNG of the training curves: loss on the left, accuracy on the right, per epoch.</summary>
internal static class Plot
{
    /// <summary>
    /// Writes the curves of <paramref name="history"/> to <paramref name="path"/>. Returns null on
    /// success, else why the image could not be made (the training results are kept either way).
    /// </summary>
    public static string? TrySave(IReadOnlyList<EpochResult> history, Settings settings, string path) =>
        Png.TrySave(path, p => Save(history, settings, p));

    private static void Save(IReadOnlyList<EpochResult> history, Settings settings, string path)
    {
        double[] epochs = [.. history.Select(r => (double)r.Epoch)];
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();

        var loss = multiplot.GetPlot(0);
        loss.Title($"MNIST {settings.Architecture}: cross-entropy loss");
        Curve(loss, epochs, [.. history.Select(r => r.TrainLoss)], "train loss", Colors.C0);
        Curve(loss, epochs, [.. history.Select(r => r.TestLoss)], "test loss", Colors.C1);
        loss.Axes.SetLimitsY(0, history.Max(r => Math.Max(r.TrainLoss, r.TestLoss)) * 1.1);

        var accuracy = multiplot.GetPlot(1);
        accuracy.Title($"accuracy (final test {Display.Percent(history[^1].TestAccuracy)})");
        Curve(accuracy, epochs, [.. history.Select(r => 100 * r.TrainAccuracy)], "train accuracy", Colors.C0);
        Curve(accuracy, epochs, [.. history.Select(r => 100 * r.TestAccuracy)], "test accuracy", Colors.C1);
        accuracy.YLabel("%");
        accuracy.ShowLegend(Alignment.LowerRight);

        foreach (var plot in new[] { loss, accuracy })
        {
            plot.XLabel("epoch");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.SetLimitsX(0.5, Math.Max(epochs[^1], epochs[0] + 1) + 0.5);
        }

        loss.ShowLegend(Alignment.UpperRight);
        multiplot.SavePng(path, 1200, 500);
    }

    private static void Curve(ScottPlot.Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 6;
    }
}
