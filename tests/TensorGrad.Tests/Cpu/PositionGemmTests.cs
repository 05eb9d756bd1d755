using System.Runtime.Intrinsics;
using TensorGrad.Backends;
using TensorGrad.Backends.Cpu;
using TensorGrad.Backends.Cpu.Kernels;
using TensorGrad.Tests.Suite;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// Position-major convolution products of a deep layer on a small image: the kernel's panel of a
/// register tile outgrows L2, so the depth goes in slices whose products each position block adds up.
/// </summary>
public sealed class PositionGemmTests
{
    [Theory]
    [InlineData(DType.Float32, 1e-4)]
    [InlineData(DType.Float64, 1e-12)]
    public void A_deep_layer_on_a_small_image_slices_the_depth_and_matches_the_reference(DType dtype, double tolerance)
    {
        Assert.SkipUnless(Vector512.IsHardwareAccelerated, "the position-major products run on Vector512");

        // Enough channels that a 32-channel tile's panel of the 3×3 kernel (128 bytes per depth step
        // in either type) outgrows half of this machine's L2; 4×5 positions end in a ragged block.
        int channels = (int)(CpuCaches.L2 / 2 / 128 / 9) + 8, outs = 64;
        var g = new ConvGeometry(2, channels, 4, 5, outs, 1, 3, 3, 1, 1, 1, 1, 1, 1, 4, 5);
        Assert.True(PositionGemm.Applies(g));
        Assert.True(dtype == DType.Float32 ? PositionGemm.SliceDepth<float>(g) < g.ColumnRows : PositionGemm.SliceDepth<double>(g) < g.ColumnRows);

        var r = new Random(5);
        var x = Tensor.Rand(new Shape(2, channels, 4, 5), r, -1, 1, Device.Cpu, dtype);
        x.RequiresGrad = true;
        var weight = Tensor.Rand(new Shape(outs, channels, 3, 3), r, -1, 1, Device.Cpu, dtype);
        var bias = Tensor.Rand(new Shape(outs), r, -1, 1, Device.Cpu, dtype);
        var gy = Tensor.Rand(new Shape(2, outs, 4, 5), r, -1, 1, Device.Cpu, dtype);
        using var tape = Tape.Begin();
        var y = x.Conv2d(weight, bias, 1, 1, 1, 1);
        y.Backward(gy);

        AssertClose(Reference.Conv2d(x, weight, bias, (1, 1), (1, 1), (1, 1), 1).Values, y.ToDoubleArray(), tolerance, channels * 9);
        AssertClose(Reference.Conv2dInputGradient(x.Shape, weight, gy, (1, 1), (1, 1), (1, 1), 1), x.Grad!.ToDoubleArray(), tolerance, outs * 9);
    }

    // Sums of `terms` products of values in [-1, 1] carry rounding of about √terms units of the last place.
    private static void AssertClose(double[] expected, double[] actual, double tolerance, int terms)
    {
        Assert.Equal(expected.Length, actual.Length);
        double bound = tolerance * Math.Sqrt(terms);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
