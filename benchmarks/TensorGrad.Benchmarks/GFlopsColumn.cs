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

/// <summary>Adds the <see cref="GFlopsColumn"/> to a benchmark class implementing <see cref="IFlopCount"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GFlopsColumnAttribute : ColumnConfigBaseAttribute
{
    /// <summary>Adds the column.</summary>
    public GFlopsColumnAttribute()
        : base(new GFlopsColumn())
    {
    }
}

/// <summary>Throughput in GFLOP/s: the benchmark's flop count divided by its median time per operation.</summary>
public sealed class GFlopsColumn : IColumn
{
    public string Id => nameof(GFlopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations per second (2·m·n·k per matrix product), from the median time (robust to noise from other processes)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (medianNs is not > 0 || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IFlopCount counter)
        {
            return "-";
        }

        // flops per nanosecond = GFLOP/s.
        return (counter.FlopsPerOperation(benchmarkCase) / medianNs.Value).ToString("N1", style.CultureInfo);
    }

    public override string ToString() => ColumnName;
}
