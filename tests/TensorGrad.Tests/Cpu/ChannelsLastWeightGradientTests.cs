using TensorGrad.Backends;
using TensorGrad.Backends.Cpu.Kernels;
using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// The channels-last weight gradient of small images, whose products take several images'
/// output positions at once, in either precision and with a batch that leaves a short last run
/// of images in each part.
/// </summary>
public sealed class ChannelsLastWeightGradientTests
{
    [Theory]
    [InlineData(DType.Float32, 1e-4)]
    [InlineData(DType.Float64, 1e-12)]
    public void Several_small_images_per_product_match_the_reference(DType dtype, double tolerance)
    {
        // 32 channels of 6×7 images: 42 positions, so each product takes several images; 11 images
        // leave each part (one per core) a run of images that Images(g) does not divide.
        var g = new ConvGeometry(11, 32, 6, 7, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 6, 7);
        Assert.True(ChannelsLastWeightGradient.Applies(g));
        Assert.True(ChannelsLastWeightGradient.Images(g) > 1);
        Assert.NotEqual(0, 11 % ChannelsLastWeightGradient.Images(g));

        var r = new Random(11);
        var x = Tensor.Rand(new Shape(11, 32, 6, 7), r, -1, 1, Device.Cpu, dtype);
        var weight = Tensor.Rand(new Shape(8, 32, 3, 3), r, -1, 1, Device.Cpu, dtype);
        weight.RequiresGrad = true;
        var gy = Tensor.Rand(new Shape(11, 8, 6, 7), r, -1, 1, Device.Cpu, dtype);
        using var tape = Tape.Begin();
        x.Conv2d(weight, null, 1, 1, 1, 1).Backward(gy);

        var expected = Reference.Conv2dWeightGradient(x, gy, weight.Shape, (1, 1), (1, 1), (1, 1), 1);
        var actual = weight.Grad!.ToDoubleArray();
        Assert.Equal(expected.Length, actual.Length);

        // Each entry sums 11 images × 42 positions of products of values in [-1, 1].
        double bound = tolerance * Math.Sqrt(11 * 42);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
