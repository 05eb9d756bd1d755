using BenchmarkDotNet.Attributes;

namespace TensorGrad.Benchmarks;

/// <summary>Base of the benchmarks: parameterized by the name of an available device.</summary>
public abstract class DeviceBenchmark
{
    private string name = "cpu";
    private TensorGrad.Device? target;

    /// <summary>The device names BenchmarkDotNet runs each benchmark on.</summary>
    public static IEnumerable<string> Devices => BenchmarkDevices.Available();

    /// <summary>The device of this run, as a name (<c>cpu</c>, <c>cuda</c>, ...).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device
    {
        get => name;
        set => (name, target) = (value, null);
    }

    /// <summary>The device named by <see cref="Device"/>.</summary>
    protected TensorGrad.Device Target => target ??= BenchmarkDevices.Get(name);

    /// <summary>
    /// Waits for the device to finish: GPU kernels run asynchronously, so each benchmark ends
    /// here to time the work and not only its launch (a no-op on the CPU).
    /// </summary>
    protected void Synchronize() => Target.Synchronize();
}
