using TensorGrad.Nn;

namespace TensorGrad.Tests.Core;

/// <summary>Factories take dimensions as PyTorch users type them, <c>Tensor.Zeros(2, 3)</c>, as well as a <see cref="Shape"/>.</summary>
[Collection(SerialCollection.Name)]
public sealed class FactoryTests
{
    [Fact]
    public void Zeros_and_ones_take_dimensions_or_a_shape()
    {
        using var zeros = Tensor.Zeros(2, 3);
        using var ones = Tensor.Ones(4);
        using var fromShape = Tensor.Zeros([2, 3]);
        using var scalar = Tensor.Ones();

        Assert.Equal(new Shape(2, 3), zeros.Shape);
        Assert.All(zeros.ToArray(), v => Assert.Equal(0, v));
        Assert.Equal([1f, 1, 1, 1], ones.ToArray());
        Assert.Equal(zeros.Shape, fromShape.Shape);
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal(DType.Float32, zeros.DType);
        Assert.Equal(Device.Cpu, zeros.Device);
    }

    [Fact]
    public void Rand_and_randn_with_dimensions_draw_from_the_default_generator_that_manual_seed_resets()
    {
        Init.ManualSeed(5);
        float[] uniform = Tensor.Rand(3, 4).ToArray(), normal = Tensor.Randn(1000).ToArray();
        Init.ManualSeed(5);

        Assert.Equal(uniform, Tensor.Rand(3, 4).ToArray());
        Assert.Equal(normal, Tensor.Randn(1000).ToArray());
        Assert.NotEqual(uniform, Tensor.Rand(3, 4).ToArray());
        Assert.All(uniform, v => Assert.InRange(v, 0, 1));
        Assert.InRange(normal.Average(), -0.15, 0.15);
        Assert.InRange(Math.Sqrt(normal.Average(v => v * v)), 0.9, 1.1);
    }
}
