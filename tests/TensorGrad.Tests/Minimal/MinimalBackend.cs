using TensorGrad.Backends;
using TensorGrad.Backends.Cpu;

namespace TensorGrad.Tests.Minimal;

/// <summary>
/// A backend that implements only what <see cref="BackendBase"/> leaves abstract (buffers and the
/// primitive kernels, each handed to the CPU backend) and takes every composite default: the
/// fused Linear, softmax, cross-entropy, optimizer steps and squared norm. Registered as device
/// kind <c>test-minimal</c> by a provider of its own, as a third-party backend would be.
/// </summary>
internal sealed class MinimalBackend(Device device) : BackendBase
{
    private static readonly CpuBackend Cpu = CpuBackend.Instance;

    public override Device Device { get; } = device;

    public override bool Supports(DType dtype) => Cpu.Supports(dtype);

    public override DeviceBuffer Allocate(long length, DType dtype) => Cpu.Allocate(length, dtype);

    public override void Release(DeviceBuffer buffer) => Cpu.Release(buffer);

    public override void Upload(ReadOnlySpan<float> source, DeviceBuffer destination) => Cpu.Upload(source, destination);

    public override void Upload(ReadOnlySpan<double> source, DeviceBuffer destination) => Cpu.Upload(source, destination);

    public override void Download(DeviceBuffer source, Span<float> destination) => Cpu.Download(source, destination);

    public override void Download(DeviceBuffer source, Span<double> destination) => Cpu.Download(source, destination);

    public override void Copy(DeviceBuffer source, DeviceBuffer destination) => Cpu.Copy(source, destination);

    public override void Fill(DeviceBuffer destination, double value) => Cpu.Fill(destination, value);

    public override void Unary(UnaryFunction f, DeviceBuffer x, DeviceBuffer y) => Cpu.Unary(f, x, y);

    public override void UnaryBackward(UnaryFunction f, DeviceBuffer saved, DeviceBuffer gradOutput, DeviceBuffer gradInput) =>
        Cpu.UnaryBackward(f, saved, gradOutput, gradInput);

    public override void Scalar(ScalarOp op, DeviceBuffer x, double scalar, DeviceBuffer y) => Cpu.Scalar(op, x, scalar, y);

    public override void Binary(BinaryOp op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape yShape) =>
        Cpu.Binary(op, a, aShape, b, bShape, y, yShape);

    public override void Reduce(ReduceOp op, DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer y) => Cpu.Reduce(op, x, outer, axis, inner, y);

    public override void ArgMax(DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer indices) => Cpu.ArgMax(x, outer, axis, inner, indices);

    public override void ScatterAlongAxis(DeviceBuffer source, DeviceBuffer indices, int outer, int axis, int inner, DeviceBuffer y) =>
        Cpu.ScatterAlongAxis(source, indices, outer, axis, inner, y);

    public override void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, DeviceBuffer a, DeviceBuffer b, double beta, DeviceBuffer c) =>
        Cpu.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c);

    public override void Transpose2D(DeviceBuffer x, int rows, int cols, DeviceBuffer y) => Cpu.Transpose2D(x, rows, cols, y);

    public override void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y) => Cpu.CopyStrided(x, layout, y);

    public override void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col) =>
        Cpu.Im2Col(x, geometry, group, padValue, col);

    public override void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x) => Cpu.Col2Im(col, geometry, group, x);
}

/// <summary>Declares device kind <c>test-minimal</c> (one device) for <see cref="MinimalBackend"/>.</summary>
internal sealed class MinimalProvider : IBackendProvider
{
    public const string Kind = "test-minimal";

    private static readonly Lazy<Device> Registered = new(() =>
    {
        BackendRegistry.Register(new MinimalProvider());
        return Device.Parse(Kind);
    });

    public IReadOnlyList<string> Kinds { get; } = [Kind];

    /// <summary>The backend's one device, registering the provider on first use.</summary>
    public static Device Device => Registered.Value;

    public IBackend? TryCreate(Device device, out string reason)
    {
        reason = device.Index == 0 ? "" : $"there is one {Kind} device, not {device}.";
        return device.Index == 0 ? new MinimalBackend(device) : null;
    }

    /// <summary>A test backend: <see cref="Device.Best"/> never chooses it.</summary>
    public string? PassOverReason(Device device) => "a test backend of primitives only";
}
