using System.Globalization;
using ScottPlot;

namespace TensorGrad.Examples.Common;

/// <summary>One named curve of a <see cref="LineChart"/>.</summary>
/// <param name="Label">The legend text.</param>
/// <param name="Xs">The x values.</param>
/// <param name="Ys">The y values, as long as <paramref name="Xs"/>; NaN and infinite points are left out (and, on a log scale, values ≤ 0).</param>
public sealed record Series(string Label, IReadOnlyList<double> Xs, IReadOnlyList<double> Ys);

/// <summary>
/// A line chart of named series, one panel of a PNG: <c>Png.TrySave(path, p =&gt; LineChart.Save(p, 1200, 500, a, b))</c>
/// or <see cref="TrySave"/>. The text must keep to the characters of <see cref="BundledFonts"/>.
/// </summary>
public sealed class LineChart
{
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>The panel's title.</summary>
    public string Title { get; init; } = "";

    /// <summary>The label of the x axis.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>The label of the y axis.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Whether the y axis is logarithmic (powers of ten labelled 0.01, 1, 1000, 1e6, ...).</summary>
    public bool LogY { get; init; }

    /// <summary>Whether points are marked as well as joined.</summary>
    public bool Markers { get; init; }

    /// <summary>Whether the x axis has integer ticks only (steps, epochs, layer numbers).</summary>
    public bool IntegerX { get; init; }

    /// <summary>Where the legend goes.</summary>
    public Alignment LegendAlignment { get; init; } = Alignment.UpperRight;

    /// <summary>When set, the legend goes outside the data area on this side (and <see cref="LegendAlignment"/> is not used).</summary>
    public Edge? LegendEdge { get; init; }

    /// <summary>The curves, drawn in order with ScottPlot's category colors.</summary>
    public List<Series> Series { get; } = [];

    /// <summary>Adds a curve.</summary>
    public LineChart Add(string label, IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        Series.Add(new Series(label, xs, ys));
        return this;
    }

    /// <summary>Adds a curve over x = 0, 1, 2, ...</summary>
    public LineChart Add(string label, IReadOnlyList<double> ys) =>
        Add(label, [.. Enumerable.Range(0, ys.Count).Select(i => (double)i)], ys);

    /// <summary>Draws <paramref name="panels"/> side by side (one column each) into a PNG.</summary>
    public static void Save(string path, int width, int height, params LineChart[] panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Length == 1)
        {
            var plot = new Plot();
            panels[0].DrawOn(plot);
            plot.SavePng(path, width, height);
            return;
        }

        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        for (int i = 0; i < panels.Length; i++)
        {
            panels[i].DrawOn(multiplot.GetPlot(i));
        }

        multiplot.SavePng(path, width, height);
    }

    /// <summary>
    /// <see cref="Save"/> through <see cref="Png.TrySave"/>: null on success, else why the image
    /// could not be made.
    /// </summary>
    public static string? TrySave(string path, int width, int height, params LineChart[] panels) =>
        Png.TrySave(path, p => Save(p, width, height, panels));

    /// <summary>Draws this chart on <paramref name="plot"/>.</summary>
    public void DrawOn(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);
        for (int s = 0; s < Series.Count; s++)
        {
            var (xs, ys) = Points(Series[s]);
            if (xs.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.Scatter(xs, ys, Palette.GetColor(s));
            scatter.LegendText = Series[s].Label;
            scatter.LineWidth = 2;
            scatter.MarkerSize = Markers ? 6 : 0;
        }

        if (LogY)
        {
            plot.Axes.Left.TickGenerator = LogTicks(Series.SelectMany(series => Points(series).Ys));
        }
        else
        {
            // Three significant digits: tiny values (1.5E-10) keep distinct labels.
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = y => y.ToString("G3", CultureInfo.InvariantCulture) };
        }

        if (IntegerX)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        }

        if (Series.Count > 0 && LegendEdge is { } edge)
        {
            plot.ShowLegend(edge);
        }
        else if (Series.Count > 0)
        {
            plot.ShowLegend(LegendAlignment);
        }
    }

    /// <summary>
    /// Ticks for log10 values: every power of ten, and 2× and 5× as well when the data span at most
    /// than three decades (so a narrow range still gets labels); the other integers as minor ticks.
    /// </summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(IEnumerable<double> logValues)
    {
        var values = logValues.ToArray();
        double low = values.Length == 0 ? 0 : Math.Floor(values.Min()), high = values.Length == 0 ? 1 : Math.Ceiling(values.Max());
        bool narrow = high - low <= 3;
        int every = (int)Math.Max(1, Math.Ceiling((high - low) / 10)); // at most about 10 labelled decades
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (double decade = low - 1; decade <= high; decade++)
        {
            bool labelled = ((long)decade % every) == 0;
            for (int m = 1; m <= 9; m++)
            {
                double position = decade + Math.Log10(m);
                if ((m == 1 && labelled) || (narrow && m is 2 or 5))
                {
                    ticks.AddMajor(position, Math.Abs(decade) <= 3 ? (m * Math.Pow(10, decade)).ToString("0.###", CultureInfo.InvariantCulture) : $"{m}e{decade:0}");
                }
                else
                {
                    ticks.AddMinor(position);
                }
            }
        }

        return ticks;
    }

    private (double[] Xs, double[] Ys) Points(Series series)
    {
        if (series.Xs.Count != series.Ys.Count)
        {
            throw new InvalidOperationException($"LineChart '{Title}': series '{series.Label}' has {series.Xs.Count} x values and {series.Ys.Count} y values.");
        }

        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < series.Xs.Count; i++)
        {
            double y = series.Ys[i];
            if (double.IsFinite(series.Xs[i]) && double.IsFinite(y) && (!LogY || y > 0))
            {
                xs.Add(series.Xs[i]);
                ys.Add(LogY ? Math.Log10(y) : y);
            }
        }

        return ([.. xs], [.. ys]);
    }
}
