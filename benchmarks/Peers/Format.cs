using System.Globalization;

namespace TensorGrad.Peers;

/// <summary>Number formats of the results.</summary>
public static class Format
{
    /// <summary>A duration with three significant digits in ns, μs, ms or s.</summary>
    public static string Time(double seconds) => seconds switch
    {
        < 1e-6 => $"{Significant(seconds * 1e9)} ns",
        < 1e-3 => $"{Significant(seconds * 1e6)} μs",
        < 1 => $"{Significant(seconds * 1e3)} ms",
        _ => $"{Significant(seconds)} s",
    };

    /// <summary>A size in KB, MB or GB (binary units), e.g. <c>2.69 MB</c>.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1L << 20 => $"{Significant(bytes / 1024.0)} KB",
        < 1L << 30 => $"{Significant(bytes / (1024.0 * 1024))} MB",
        _ => $"{Significant(bytes / (1024.0 * 1024 * 1024))} GB",
    };

    /// <summary>A speed ratio such as <c>3.42×</c>.</summary>
    public static string Ratio(double ratio) => $"{Significant(ratio)}×";

    /// <summary>Three significant digits, or the integer part where it has more.</summary>
    public static string Significant(double value) => value switch
    {
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };
}
