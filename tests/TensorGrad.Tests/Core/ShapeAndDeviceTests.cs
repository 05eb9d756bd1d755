using TensorGrad.Backends;

namespace TensorGrad.Tests.Core;

public sealed class ShapeAndDeviceTests
{
    [Fact]
    public void Broadcast_follows_numpy_rules()
    {
        Assert.Equal(new Shape(2, 3), Shape.Broadcast([2, 1], [3], "Add"));
        Assert.Equal(new Shape(4, 2, 3), Shape.Broadcast([4, 1, 3], [2, 1], "Add"));
        Assert.Equal(new Shape(5), Shape.Broadcast(Shape.Scalar, [5], "Mul"));
        var e = Assert.Throws<ArgumentException>(() => Shape.Broadcast([2, 3], [4, 3], "Sub"));
        Assert.Contains("Sub", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
    }

    [Fact]
    public void Shapes_compare_by_value_and_know_their_size()
    {
        Shape s = [2, 3, 4];
        Assert.Equal(new Shape(2, 3, 4), s);
        Assert.NotEqual(new Shape(2, 3), s);
        Assert.Equal(24, s.Size);
        Assert.Equal(1, Shape.Scalar.Size);
        Assert.Equal(4, s[-1]);
        Assert.Equal((2, 3, 4), s.SplitAt(1));
        Assert.Equal(new Shape(2, 1, 4), s.Reduce(1, keepDim: true));
        Assert.Equal(new Shape(2, 4), s.Reduce(1, keepDim: false));
        Assert.Throws<ArgumentException>(() => new Shape(2, -1));
    }

    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0)]
    [InlineData("CUDA", DeviceKind.Cuda, 0)]
    [InlineData("cuda:1", DeviceKind.Cuda, 1)]
    [InlineData("opencl:2", DeviceKind.OpenCL, 2)]
    [InlineData("ilgpu-cpu", DeviceKind.IlgpuCpu, 0)]
    public void Devices_parse_from_their_names(string text, string kind, int index)
    {
        var device = Device.Parse(text);
        Assert.Equal(kind, device.Kind);
        Assert.Equal(index, device.Index);
        Assert.Equal(device, Device.Parse(device.ToString()));
    }

    [Fact]
    public void A_backend_from_another_assembly_brings_its_own_device_kind()
    {
        BackendRegistry.Register(new UnavailableProvider("test-npu"));

        var device = Device.Parse("TEST-NPU:3");
        Assert.Equal("test-npu", device.Kind);
        Assert.Equal("test-npu:3", device.ToString());
        Assert.Contains("test-npu", BackendRegistry.Kinds);
        Assert.False(device.IsAvailable);
        Assert.Equal("no test-npu hardware here", BackendRegistry.UnavailableReason(device));
        Assert.NotEqual("test-npu", Device.Best().Kind);
        Assert.Throws<ArgumentException>(() => BackendRegistry.Register(new UnavailableProvider("Not A Name")));
        var e = Assert.Throws<FormatException>(() => Device.Parse("tpu"));
        Assert.Contains("test-npu", e.Message);
    }

    [Fact]
    public void Bad_device_names_are_rejected()
    {
        Assert.Throws<FormatException>(() => Device.Parse("tpu"));
        Assert.Throws<FormatException>(() => Device.Parse("cuda:x"));
        Assert.Throws<FormatException>(() => Device.Parse("cuda:-1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
    }

    [Fact]
    public void Best_device_is_the_first_usable_gpu_the_backends_do_not_pass_over_else_the_cpu()
    {
        if (Environment.GetEnvironmentVariable(Device.EnvironmentVariable) is { Length: > 0 })
        {
            Assert.Skip($"{Device.EnvironmentVariable} overrides the choice.");
        }

        var choosable = BackendRegistry.Kinds.Where(kind => kind != DeviceKind.Cpu)
            .SelectMany(BackendRegistry.Devices)
            .Where(d => BackendRegistry.PassOverReason(d) is null && d.IsAvailable);
        Assert.Equal(choosable.FirstOrDefault() ?? Device.Cpu, Device.Best());
        Assert.True(Device.Cpu.IsAvailable);
    }

    [Fact]
    public void A_missing_device_is_reported_in_one_line_naming_it()
    {
        var missing = Device.Cuda(99);

        Assert.False(missing.IsAvailable);
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([1], missing));
        Assert.Contains($"Device {missing} is not available: ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    /// <summary>A provider of one kind whose devices are never present.</summary>
    private sealed class UnavailableProvider(string kind) : IBackendProvider
    {
        public IReadOnlyList<string> Kinds { get; } = [kind];

        public IBackend? TryCreate(Device device, out string reason)
        {
            reason = $"no {kind} hardware here";
            return null;
        }
    }
}
