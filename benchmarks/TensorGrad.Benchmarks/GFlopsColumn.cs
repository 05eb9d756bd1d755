using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TensorGrad.Benchmarks;

/// <summary>A benchmark class that knows how many floating-point operations one of its operations does.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations in one operation of <paramref name="benchmarkCase"/> (2·m·n·k per matrix product).</summary>
    double FlopsPerOperation(BenchmarkCase benchmarkCase);
}

/// <summary>
/// Adds two <see cref="GFlopsColumn"/>s to a benchmark class implementing <see cref="IFlopCount"/>:
/// from the median time, and from the fastest iteration (the throughput without interference from
/// other processes, which on a small machine can take a core away in the middle of a run).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GFlopsColumnAttribute : ColumnConfigBaseAttribute
{
    /// <summary>Adds the columns.</summary>
    public GFlopsColumnAttribute()
        : base(new GFlopsColumn(best: false), new GFlopsColumn(best: true))
    {
    }
}

/// <summary>
/// Throughput in GFLOP/s: the benchmark's flop count divided by its median time per operation,
/// or by the mean time of its fastest iteration.
/// </summary>
/// <param name="best">Use the fastest iteration instead of the median.</param>
public sealed class GFlopsColumn(bool best) : IColumn
{
    public string Id => $"{nameof(GFlopsColumn)}.{ColumnName}";

    public string ColumnName => best ? "Best GFLOP/s" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => best ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => best
        ? "GFLOP/s of the fastest iteration (the machine's throughput when nothing else competes for the cores)"
        : "Billions of floating-point operations per second (2·m·n·k per matrix product), from the median time";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        double? ns = best ? statistics?.Min : statistics?.Median;
        if (ns is not > 0 || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IFlopCount counter)
        {
            return "-";
        }

        // flops per nanosecond = GFLOP/s.
        return (counter.FlopsPerOperation(benchmarkCase) / ns.Value).ToString("N1", style.CultureInfo);
    }

    public override string ToString() => ColumnName;
}
