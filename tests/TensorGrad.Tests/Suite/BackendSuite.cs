
namespace TensorGrad.Tests.Suite;

/// <summary>
/// The shared backend suite: every backend runs the same op, gradient, error and training tests
/// through a sealed subclass that names its device.
/// </summary>
public abstract partial class BackendSuite
{
    /// <summary>The device under test.</summary>
    protected abstract Device Device { get; }

    /// <summary>True when the device has float64 storage (gradient checks then run on it directly).</summary>
    protected virtual bool SupportsFloat64 => true;

    /// <summary>Why this device's kernel launches allocate managed memory of their own, or null when they do not.</summary>
    protected virtual string? LaunchesAllocate => null;

    protected Tensor T(float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape), Device);

    protected Tensor T64(double[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape), Device, DType.Float64);

    protected Tensor Param64(Random random, double low, double high, params int[] shape)
    {
        var t = Tensor.Rand(new Shape(shape), random, low, high, Device, DType.Float64);
        t.RequiresGrad = true;
        return t;
    }

    protected static void AssertClose(double[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    protected static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    protected void AssertGradients(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradCheck.Check(f, inputs);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.InputIndex >= 0, "nothing was checked");
    }

    /// <summary>Runs <paramref name="body"/> inside a tape and disposes it.</summary>
    protected static void Recorded(Action body)
    {
        using var tape = Tape.Begin();
        body();
    }
}
