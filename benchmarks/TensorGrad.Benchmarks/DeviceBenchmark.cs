using BenchmarkDotNet.Attributes;

namespace TensorGrad.Benchmarks;

/// <summary>Base of the benchmarks: parameterized by the name of an available device.</summary>
public abstract class DeviceBenchmark
{
    /// <summary>The device names BenchmarkDotNet runs each benchmark on.</summary>
    public static IEnumerable<string> Devices => BenchmarkDevices.Available();

    /// <summary>The device of this run, as a name (<c>cpu</c>, <c>cuda</c>, ...).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The device named by <see cref="Device"/>.</summary>
    protected TensorGrad.Device Target => BenchmarkDevices.Get(Device);
}
