using TensorGrad.Autograd.Ops;
using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>Every op's gradient checked against central differences in float64.</summary>
public abstract partial class BackendSuite
{
    public static TheoryData<int> OddSizes => [1, 7, 17, 33, 65, 257];

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Elementwise_gradients_match_finite_differences(int n)
    {
        var r = new Random(n);
        var x = Param64(r, 0.2, 2, n);
        var y = Param64(r, 0.5, 1.5, n);
        AssertGradients(t => t[0] + t[1], x, y);
        AssertGradients(t => t[0] - t[1], x, y);
        AssertGradients(t => t[0] * t[1], x, y);
        AssertGradients(t => t[0] / t[1], x, y);
        AssertGradients(t => (3 - t[0]) * 2 + (1 / t[0]) - (t[0] / 4) + (-t[0]) + 1, x);
        AssertGradients(t => t[0].Exp() + t[0].Log() + t[0].Sqrt() + t[0].Square() + t[0].Pow(3) + t[0].Pow(0.5), x);
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Activation_gradients_match_finite_differences(int n)
    {
        var r = new Random(n + 1);
        var x = Param64(r, -3, 3, n);
        AssertGradients(t => t[0].Sigmoid(), x);
        AssertGradients(t => t[0].Tanh(), x);
        AssertGradients(t => t[0].Softplus(), x);
        var away = Tensor.FromArray(x.ToDoubleArray().Select(v => v + (v >= 0 ? 0.1 : -0.1)).ToArray(), x.Shape, Device, DType.Float64);
        away.RequiresGrad = true;
        AssertGradients(t => t[0].Relu(), away);
        AssertGradients(t => t[0].LeakyRelu(0.2), away);
    }

    [Fact]
    public void Broadcasting_gradients_sum_back_to_each_input_shape()
    {
        var r = new Random(3);
        var m = Param64(r, 0.5, 2, 3, 4);
        AssertGradients(t => t[0] * t[1], m, Param64(r, 0.5, 2, 4));
        AssertGradients(t => t[0] / t[1], m, Param64(r, 0.5, 2, 3, 1));
        AssertGradients(t => t[0] - t[1], Param64(r, 0.5, 2, 3, 1), Param64(r, 0.5, 2, 1, 4));
        AssertGradients(t => t[0] + t[1], Param64(r, 0.5, 2, 2, 3, 4), Param64(r, 0.5, 2, 3, 1));
        AssertGradients(t => t[0] * t[1], m, Param64(r, 0.5, 2, 1));
        AssertGradients(t => t[0] * t[1], m, Param64(r, 0.5, 2));
    }

    [Fact]
    public void Reduction_gradients_match_finite_differences()
    {
        var r = new Random(4);
        var x = Param64(r, -2, 2, 3, 5, 4);
        AssertGradients(t => t[0].Sum(), x);
        AssertGradients(t => t[0].Mean(), x);
        AssertGradients(t => t[0].Sum(1), x);
        AssertGradients(t => t[0].Mean(2, keepDim: true), x);
        AssertGradients(t => t[0].Sum(0, keepDim: true), x);
        AssertGradients(t => t[0].Max(1), x);
        AssertGradients(t => t[0].Max(-1, keepDim: true), x);
        AssertGradients(t => t[0].Max(), x);
    }

    [Fact]
    public void Softmax_gradients_match_finite_differences_on_every_axis()
    {
        var r = new Random(5);
        var x = Param64(r, -3, 3, 4, 7);
        AssertGradients(t => t[0].Softmax(), x);
        AssertGradients(t => t[0].LogSoftmax(), x);
        AssertGradients(t => t[0].Softmax(0), x);
        AssertGradients(t => t[0].LogSoftmax(1), Param64(r, -3, 3, 2, 3, 4));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 17, 1)]
    [InlineData(17, 7, 33)]
    [InlineData(33, 65, 7)]
    [InlineData(1, 257, 2)]
    public void MatMul_gradients_match_finite_differences_for_every_transpose(int m, int k, int n)
    {
        var r = new Random(m * 1000 + k * 10 + n);
        AssertGradients(t => t[0].MatMul(t[1]), Param64(r, -1, 1, m, k), Param64(r, -1, 1, k, n));
        AssertGradients(t => MatMulOp.Forward(t[0], t[1], transA: true, transB: false), Param64(r, -1, 1, k, m), Param64(r, -1, 1, k, n));
        AssertGradients(t => MatMulOp.Forward(t[0], t[1], transA: false, transB: true), Param64(r, -1, 1, m, k), Param64(r, -1, 1, n, k));
        AssertGradients(t => MatMulOp.Forward(t[0], t[1], transA: true, transB: true), Param64(r, -1, 1, k, m), Param64(r, -1, 1, n, k));
    }

    [Fact]
    public void Shape_op_gradients_match_finite_differences()
    {
        var r = new Random(6);
        var x = Param64(r, -1, 1, 3, 4);
        AssertGradients(t => t[0].Transpose() * t[0].Transpose().Exp(), x);
        AssertGradients(t => t[0].Reshape(2, -1).Sigmoid(), x);
        AssertGradients(t => t[0].Reshape(12).Reshape(4, 3).MatMul(t[0]), x);
    }

    [Fact]
    public void Loss_gradients_match_finite_differences_for_every_reduction()
    {
        var r = new Random(8);
        var ids = T64([0, 2, 1, 2, 0], 5);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var logits = Param64(r, -3, 3, 5, 3);
            AssertGradients(t => Loss.CrossEntropy(t[0], ids, reduction), logits);
            AssertGradients(t => Loss.Mse(t[0], t[1], reduction), Param64(r, -1, 1, 4, 2), Param64(r, -1, 1, 4, 2));
            AssertGradients(t => Loss.BinaryCrossEntropy(t[0], t[1], reduction), Param64(r, 0.05, 0.95, 6), Param64(r, 0, 1, 6));
            AssertGradients(t => Loss.BinaryCrossEntropyWithLogits(t[0], t[1], reduction), Param64(r, -4, 4, 6), Param64(r, 0, 1, 6));
        }
    }

    [Fact]
    public void A_composed_network_gradient_matches_finite_differences()
    {
        var r = new Random(9);
        var x = T64(Enumerable.Range(0, 12).Select(i => (i % 5) - 2.0).ToArray(), 4, 3);
        var ids = T64([1, 0, 1, 1], 4);
        AssertGradients(
            t => Loss.CrossEntropy((x.MatMul(t[0]) + t[1]).Tanh().MatMul(t[2]), ids),
            Param64(r, -1, 1, 3, 5),
            Param64(r, -1, 1, 5),
            Param64(r, -1, 1, 5, 2));
    }
}
