using System.Globalization;
using Spectre.Console;
using TensorGrad.Metrics;

namespace MnistExample;

/// <summary>The end-of-run report: test accuracy, confusion matrix with recall, throughput.</summary>
internal static class Report
{
    /// <summary>Prints the final test results and the confusion matrix (actual digit × predicted digit, then recall and precision).</summary>
    public static void TestResults(ConfusionMatrix matrix, double loss)
    {
        long correct = Enumerable.Range(0, matrix.Classes).Sum(c => matrix[c, c]);
        Console.WriteLine();
        Console.WriteLine($"test accuracy {Display.Percent(matrix.Accuracy)} ({correct:N0}/{matrix.Total:N0} digits), test loss {loss:F6}");
        if (!Display.Live)
        {
            // Redirected output has no width; Spectre assumes 80 columns, too narrow for 12 columns of counts.
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 100);
        }

        AnsiConsole.Write(ConfusionTable(matrix));
    }

    /// <summary>The matrix as a table: one row per actual digit, one column per predicted digit, then recall.</summary>
    public static Table ConfusionTable(ConfusionMatrix matrix)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("confusion matrix on the test digits (rows: actual, columns: predicted)");
        table.AddColumn(new TableColumn("[bold]actual[/]").RightAligned());
        for (int p = 0; p < matrix.Classes; p++)
        {
            table.AddColumn(new TableColumn($"[bold]{p}[/]").RightAligned());
        }

        table.AddColumn(new TableColumn("[bold]recall[/]").RightAligned());
        for (int a = 0; a < matrix.Classes; a++)
        {
            var cells = new List<string> { $"[bold]{a}[/]" };
            for (int p = 0; p < matrix.Classes; p++)
            {
                string count = matrix[a, p].ToString(CultureInfo.InvariantCulture);
                cells.Add(a == p ? $"[green]{count}[/]" : matrix[a, p] == 0 ? $"[grey]{count}[/]" : $"[red]{count}[/]");
            }

            cells.Add(Display.Percent(matrix.Recall(a), 1));
            table.AddRow(cells.ToArray());
        }

        var precision = new List<string> { "[bold]precision[/]" };
        precision.AddRange(Enumerable.Range(0, matrix.Classes).Select(c => Display.Percent(matrix.Precision(c), 0)));
        precision.Add("");
        table.AddRow(precision.ToArray());
        return table;
    }

    /// <summary>Prints the throughput over every trained epoch and the total wall time.</summary>
    public static void Throughput(IReadOnlyList<EpochResult> trained, Settings settings, TimeSpan wall)
    {
        if (trained.Count > 0)
        {
            long samples = trained.Sum(r => (long)r.Samples);
            double seconds = trained.Sum(r => r.TrainSeconds);
            Console.WriteLine($"throughput {samples / seconds:N0} samples/s at batch size {settings.BatchSize} on {settings.Device} "
                + $"({samples:N0} samples in {seconds:F2} s of training over {trained.Count} epochs)");
        }

        Console.WriteLine($"total {wall.TotalSeconds:F1} s");
    }
}
