using TensorGrad.Backends;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// The CPU's optimizer steps from a linear layer's weight-gradient product: the same values as
/// the product written out by the GEMM and the step over the buffer, whether they are fused
/// (batches of 1 to 4 rows, rows made a chunk at a time) or go through a temporary.
/// </summary>
public sealed class WeightProductStepTests
{
    public static TheoryData<int, int, int, DType> Shapes => new()
    {
        { 1, 9, 7, DType.Float32 },
        { 3, 9, 7, DType.Float64 },
        { 4, 5, 2100, DType.Float32 }, // rows longer than one chunk (2,048 columns)
        { 2, 3, 4500, DType.Float64 },
        { 5, 9, 7, DType.Float32 },    // deeper than the fused path
        { 0, 9, 7, DType.Float32 },    // an empty batch: a zero gradient
        { 2, 1, 7, DType.Float32 },    // one output and one input: GEMM's matrix-vector path
        { 2, 7, 1, DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sgd_from_the_product_matches_the_step_over_the_written_gradient(int rows, int outFeatures, int inFeatures, DType dtype)
    {
        foreach (var update in new[]
        {
            new SgdUpdate(0.1, 0.9, 0.1, 0.01, Nesterov: false, FirstStep: true),
            new SgdUpdate(0.1, 0.9, 0.1, 0.01, Nesterov: false, FirstStep: false),
            new SgdUpdate(0.05, 0.8, 0, 0, Nesterov: true, FirstStep: false),
            new SgdUpdate(0.05, 0, 0, 0.1, Nesterov: false, FirstStep: false),
        })
        {
            var (fused, reference) = (Make(rows, outFeatures, inFeatures, dtype), Make(rows, outFeatures, inFeatures, dtype));
            var backend = Device.Cpu.Backend;
            var velocity = update.Momentum == 0 ? null : fused.State1.Buffer;
            backend.SgdStep(fused.Weight.Buffer, fused.Product, velocity, update);
            backend.SgdStep(reference.Weight.Buffer, WrittenGradient(reference), update.Momentum == 0 ? null : reference.State1.Buffer, update);

            Assert.Equal(reference.Weight.ToDoubleArray(), fused.Weight.ToDoubleArray());
            Assert.Equal(reference.State1.ToDoubleArray(), fused.State1.ToDoubleArray());
            Assert.NotEqual(Make(rows, outFeatures, inFeatures, dtype).Weight.ToDoubleArray(), fused.Weight.ToDoubleArray());
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Adam_from_the_product_matches_the_step_over_the_written_gradient(int rows, int outFeatures, int inFeatures, DType dtype)
    {
        foreach (var update in new[] { new AdamUpdate(0.01, 0.9, 0.999, 1e-8, 0.01, Decoupled: false, Step: 3), new AdamUpdate(0.01, 0.9, 0.99, 1e-6, 0.1, Decoupled: true, Step: 1) })
        {
            var (fused, reference) = (Make(rows, outFeatures, inFeatures, dtype), Make(rows, outFeatures, inFeatures, dtype));
            var backend = Device.Cpu.Backend;
            backend.AdamStep(fused.Weight.Buffer, fused.Product, fused.State1.Buffer, fused.State2.Buffer, update);
            backend.AdamStep(reference.Weight.Buffer, WrittenGradient(reference), reference.State1.Buffer, reference.State2.Buffer, update);

            Assert.Equal(reference.Weight.ToDoubleArray(), fused.Weight.ToDoubleArray());
            Assert.Equal(reference.State1.ToDoubleArray(), fused.State1.ToDoubleArray());
            Assert.Equal(reference.State2.ToDoubleArray(), fused.State2.ToDoubleArray());
        }
    }

    /// <summary>A weight, its two state buffers (moments or velocity, nonzero) and the product of a random output gradient and input, the same for the same arguments.</summary>
    private static Operands Make(int rows, int outFeatures, int inFeatures, DType dtype)
    {
        var gradOutput = Tensor.Randn([rows, outFeatures], 1, Device.Cpu, dtype);
        var input = Tensor.Randn([rows, inFeatures], 2, Device.Cpu, dtype);
        var weight = Tensor.Randn([outFeatures, inFeatures], 3, Device.Cpu, dtype);
        var state1 = Tensor.Randn([outFeatures, inFeatures], 4, Device.Cpu, dtype);
        var state2 = Tensor.Rand([outFeatures, inFeatures], 5, Device.Cpu, dtype);
        return new(weight, state1, state2, new LinearWeightGradient(gradOutput.Buffer, input.Buffer, rows, outFeatures, inFeatures, Scale: 0.5));
    }

    private static DeviceBuffer WrittenGradient(Operands operands)
    {
        var p = operands.Product;
        var gradient = Device.Cpu.Backend.Allocate(p.Length, operands.Weight.DType);
        Device.Cpu.Backend.Gemm(true, false, p.OutFeatures, p.InFeatures, p.Rows, p.Scale, p.GradOutput, p.Input, 0.0, gradient);
        return gradient;
    }

    private sealed record Operands(Tensor Weight, Tensor State1, Tensor State2, LinearWeightGradient Product);
}
