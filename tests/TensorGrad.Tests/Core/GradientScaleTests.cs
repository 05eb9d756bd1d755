using TensorGrad.Nn;

namespace TensorGrad.Tests.Core;

/// <summary>Tensor.GradientScale (data parallelism's 1 / ranks): every path into a leaf's gradient applies it once.</summary>
public sealed class GradientScaleTests
{
    [Fact]
    public void LinearsFoldedScaleAndTheGenericScaleBothMultiplyTheGradientOnce()
    {
        var input = Tensor.FromArray([1f, -2, 0.5f, 3, 1, -1], 2, 3);
        var plain = new Linear(3, 2);
        var scaled = new Linear(3, 2);
        scaled.LoadStateDict(plain.StateDict());
        foreach (var p in scaled.Parameters())
        {
            p.GradientScale = 0.25;
        }

        foreach (var model in (Linear[])[plain, scaled])
        {
            using var tape = Tape.Begin();
            // The weight also enters through a generic op, whose gradient Backprop.Accumulate scales.
            (model.Forward(input).Square().Sum() + (model.Weight * model.Weight).Sum()).Backward();
        }

        foreach (var (p, q) in plain.Parameters().Zip(scaled.Parameters()))
        {
            var expected = p.Grad!.ToArray().Select(v => v * 0.25f);
            Assert.Equal(expected, q.Grad!.ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1, Math.Abs(a)));
        }
    }
}
