using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>Forward values against hand-computed (NumPy-checked) results.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void Arithmetic_broadcasts_like_numpy()
    {
        var a = T([1, 2, 3, 4, 5, 6], 2, 3);
        var row = T([10, 20, 30], 3);
        var col = T([100, 200], 2, 1);
        AssertClose([11, 22, 33, 14, 25, 36], (a + row).ToArray());
        AssertClose([-99, -98, -97, -196, -195, -194], (a - col).ToArray());
        AssertClose([10, 40, 90, 40, 100, 180], (a * row).ToArray());
        AssertClose([0.01, 0.02, 0.03, 0.02, 0.025, 0.03], (a / col).ToArray());
        AssertClose([110, 120, 130, 210, 220, 230], (col + row).ToArray());
        Assert.Equal(new Shape(2, 3), (col + row).Shape);
    }

    [Fact]
    public void Scalar_variants_match_their_definitions()
    {
        var x = T([1, 2, 4], 3);
        AssertClose([3, 4, 6], (x + 2).ToArray());
        AssertClose([1, 0, -2], (2 - x).ToArray());
        AssertClose([-1, 0, 2], (x - 2).ToArray());
        AssertClose([0.5, 1, 2], (x * 0.5).ToArray());
        AssertClose([0.25, 0.5, 1], (x / 4).ToArray());
        AssertClose([4, 2, 1], (4 / x).ToArray());
        AssertClose([1, 8, 64], x.Pow(3).ToArray());
        AssertClose([-1, -2, -4], (-x).ToArray());
    }

    [Fact]
    public void Unary_functions_give_known_values()
    {
        var x = T([-2, 0, 1.5f], 3);
        AssertClose([0.11920292, 0.5, 0.81757448], x.Sigmoid().ToArray());
        AssertClose([0, 0, 1.5], x.Relu().ToArray());
        AssertClose([-0.02, 0, 1.5], x.LeakyRelu().ToArray());
        AssertClose([-0.4, 0, 1.5], x.LeakyRelu(0.2).ToArray());
        AssertClose([-0.96402758, 0, 0.90514825], x.Tanh().ToArray());
        AssertClose([0.13533528, 1, 4.48168907], x.Exp().ToArray());
        AssertClose([0.12692801, 0.69314718, 1.70141328], x.Softplus().ToArray());
        AssertClose([4, 0, 2.25], x.Square().ToArray());
        AssertClose([0, 0.69314718, 1.38629436], T([1, 2, 4], 3).Log().ToArray());
        AssertClose([1, 1.41421356, 2], T([1, 2, 4], 3).Sqrt().ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(255)]
    [InlineData(257)]
    public void Elementwise_kernels_are_right_at_every_length_around_simd_widths(int n)
    {
        var random = new Random(n);
        var a = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 4) + 0.5)).ToArray();
        var ta = T(a, n);
        var tb = T(b, n);
        AssertClose(a.Select((v, i) => (double)v + b[i]).ToArray(), (ta + tb).ToArray());
        AssertClose(a.Select((v, i) => (double)v / b[i]).ToArray(), (ta / tb).ToArray());
        AssertClose(a.Select(v => 3.0 - v).ToArray(), (3 - ta).ToArray());
        AssertClose(a.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), ta.Sigmoid().ToArray());
        AssertClose(a.Select(v => Math.Max(v, 0.0)).ToArray(), ta.Relu().ToArray());
        AssertClose(a.Select(v => v > 0 ? v : 0.3 * v).ToArray(), ta.LeakyRelu(0.3).ToArray());
        AssertClose(a.Select(v => Math.Tanh(v)).ToArray(), ta.Tanh().ToArray());
        AssertClose(a.Select(v => Math.Exp(v)).ToArray(), ta.Exp().ToArray());
        AssertClose(b.Select(v => Math.Log(v)).ToArray(), tb.Log().ToArray());
        AssertClose(a.Select(v => Math.Log(1 + Math.Exp(v))).ToArray(), ta.Softplus().ToArray());
        AssertClose([a.Sum(v => (double)v)], ta.Sum().ToArray(), 1e-4);
    }

    [Fact]
    public void Reductions_along_axes_keep_or_drop_the_axis()
    {
        var x = T([1, 5, 3, 4, 2, 6], 2, 3);
        AssertClose([21], x.Sum().ToArray());
        AssertClose([3.5], x.Mean().ToArray());
        AssertClose([5, 7, 9], x.Sum(0).ToArray());
        Assert.Equal(new Shape(3), x.Sum(0).Shape);
        AssertClose([3, 4], x.Mean(1).ToArray());
        Assert.Equal(new Shape(2, 1), x.Mean(-1, keepDim: true).Shape);
        AssertClose([5, 6], x.Max(1).ToArray());
        AssertClose([4, 5, 6], x.Max(0).ToArray());
        AssertClose([6], x.Max().ToArray());
        AssertClose([1, 2], x.ArgMax(1).ToArray());
        AssertClose([10, 26], T([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2).Sum(1).Sum(1).ToArray());
    }

    [Fact]
    public void Softmax_and_log_softmax_match_known_values_along_any_axis()
    {
        var x = T([1, 2, 3], 1, 3);
        AssertClose([0.09003057, 0.24472847, 0.66524096], x.Softmax().ToArray());
        AssertClose([-2.40760596, -1.40760596, -0.40760596], x.LogSoftmax().ToArray());
        var column = T([1, 2, 3], 3, 1).Softmax(axis: 0);
        AssertClose([0.09003057, 0.24472847, 0.66524096], column.ToArray());
        var middle = T([1, 0, 2, 0, 3, 0], 1, 3, 2).Softmax(axis: 1);
        AssertClose([0.09003057, 1 / 3.0, 0.24472847, 1 / 3.0, 0.66524096, 1 / 3.0], middle.ToArray());
        AssertClose([0.5, 0.5], T([1000, 1000], 1, 2).Softmax().ToArray());
    }

    [Fact]
    public void Softmax_over_an_empty_axis_is_an_empty_tensor_of_the_same_shape()
    {
        using var x = Tensor.Zeros([2, 0], Device);
        foreach (var y in new[] { x.Softmax(1), x.LogSoftmax(1), x.Softmax(0) })
        {
            Assert.Equal(new Shape(2, 0), y.Shape);
            Assert.Empty(y.ToArray());
        }
    }

    [Fact]
    public void Log_softmax_and_cross_entropy_of_logits_near_100_are_within_1e_6_of_float64()
    {
        const int rows = 64, classes = 10;
        var random = new Random(5);
        float[] logits = [.. Enumerable.Range(0, rows * classes).Select(_ => 100 + (float)random.NextDouble())];
        float[] labels = [.. Enumerable.Range(0, rows).Select(r => (float)(r % classes))];
        var expected = new double[rows * classes];
        for (int r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * classes, classes).ToArray().Select(v => (double)v).ToArray();
            double max = row.Max(), logSum = Math.Log(row.Sum(v => Math.Exp(v - max)));
            for (int c = 0; c < classes; c++)
            {
                expected[(r * classes) + c] = row[c] - max - logSum;
            }
        }

        using var x = T(logits, rows, classes);
        float[] logSoftmax = x.LogSoftmax().ToArray();
        float[] losses = Loss.CrossEntropy(x, T(labels, rows), Reduction.None).ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(logSoftmax[i] - expected[i]) <= 1e-6, $"log-softmax element {i}: {logSoftmax[i]}, float64 {expected[i]}");
        }

        for (int r = 0; r < rows; r++)
        {
            double loss = -expected[(r * classes) + (r % classes)];
            Assert.True(Math.Abs(losses[r] - loss) <= 1e-6, $"cross-entropy row {r}: {losses[r]}, float64 {loss}");
        }
    }

    [Fact]
    public void MatMul_transpose_and_reshape_give_known_results()
    {
        var a = T([1, 2, 3, 4, 5, 6], 2, 3);
        var b = T([7, 8, 9, 10, 11, 12], 3, 2);
        var c = a.MatMul(b);
        Assert.Equal(new Shape(2, 2), c.Shape);
        AssertClose([58, 64, 139, 154], c.ToArray());
        AssertClose([1, 4, 2, 5, 3, 6], a.Transpose().ToArray());
        Assert.Equal(new Shape(3, 2), a.Reshape(-1, 2).Shape);
        AssertClose([1, 2, 3, 4, 5, 6], a.Reshape(6).ToArray());
    }

    [Fact]
    public void Binary_cross_entropy_matches_the_literature_and_clamps_log_at_minus_100()
    {
        Assert.Equal(0.2231, Loss.BinaryCrossEntropy(T([0.8f], 1), T([1], 1)).Item(), 4);
        Assert.Equal(2.3026, Loss.BinaryCrossEntropy(T([0.1f], 1), T([1], 1)).Item(), 4);
        Assert.Equal(100, Loss.BinaryCrossEntropy(T([0], 1), T([1], 1)).Item(), 3);
        Assert.Equal(100, Loss.BinaryCrossEntropy(T([1], 1), T([0], 1)).Item(), 3);
        var none = Loss.BinaryCrossEntropy(T([0.8f, 0.1f], 2), T([1, 1], 2), Reduction.None);
        AssertClose([0.22314355, 2.30258509], none.ToArray());
        Assert.Equal(2.52572864, Loss.BinaryCrossEntropy(T([0.8f, 0.1f], 2), T([1, 1], 2), Reduction.Sum).Item(), 5);
    }

    [Theory]
    [InlineData(1.2f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void Binary_cross_entropy_refuses_probabilities_outside_0_1_as_pytorch_does(float bad)
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.BinaryCrossEntropy(T([0.5f, bad, 0], 3), T([1, 0, 1], 3)));
        Assert.StartsWith("BinaryCrossEntropy: probabilities must lie in [0, 1]", e.Message);
        Assert.Contains($"[3] on {Device}", e.Message);
    }

    [Fact]
    public void Logit_losses_are_stable_at_plus_minus_1000()
    {
        var logits = T([1000, -1000, 1000, -1000], 2, 2);
        var losses = Loss.CrossEntropy(logits, T([0, 1], 2), Reduction.None).ToArray();
        AssertClose([0, 2000], losses);
        var bce = Loss.BinaryCrossEntropyWithLogits(T([1000, -1000, 1000], 3), T([1, 1, 0], 3), Reduction.None).ToArray();
        AssertClose([0, 1000, 1000], bce);
        Assert.Equal(0.40760596, Loss.CrossEntropy(T([1, 2, 3], 1, 3), T([2], 1)).Item(), 5);
        Assert.Equal(2.5, Loss.Mse(T([1, 2], 2), T([2, 4], 2)).Item(), 6);
        Assert.Equal(0.31326169, Loss.BinaryCrossEntropyWithLogits(T([1], 1), T([1], 1)).Item(), 6);
    }

    [Fact]
    public void Float32_forward_agrees_with_float64_for_every_op()
    {
        if (!SupportsFloat64)
        {
            Assert.Skip($"{Device} has no float64 storage.");
        }

        var random = new Random(7);
        var x64 = Tensor.Rand([5, 7], random, 0.1, 2, Device, DType.Float64);
        var w64 = Tensor.Rand([7, 3], random, -1, 1, Device, DType.Float64);
        var ids = T([0, 2, 1, 1, 0], 5).To(DType.Float64);
        Func<Tensor, Tensor, Tensor, Tensor>[] ops =
        [
            (x, w, y) => x.MatMul(w).Sigmoid(),
            (x, w, y) => (x * 2 - x.Sqrt()).Tanh().Relu().Exp().Log(),
            (x, w, y) => x.Softmax().LogSoftmax(0).Square().Pow(1.5),
            (x, w, y) => (x / (x + 1)).Mean(1, keepDim: true) + x.Max(0) - x.Sum(0),
            (x, w, y) => Loss.CrossEntropy(x.MatMul(w), y, Reduction.None),
            (x, w, y) => Loss.BinaryCrossEntropy((x / 3).Sigmoid(), x / 2.5) + Loss.BinaryCrossEntropyWithLogits(x, x / 2.5) + Loss.Mse(x, x.Transpose().Transpose() * 0.5),
        ];
        foreach (var op in ops)
        {
            var expected = op(x64, w64, ids).ToDoubleArray();
            var actual = op(x64.To(DType.Float32), w64.To(DType.Float32), ids.To(DType.Float32)).ToArray();
            AssertClose(expected, actual, 1e-5);
        }
    }

    [Fact]
    public void Full_reductions_of_long_tensors_and_the_gradient_of_their_sum_are_exact_to_rounding()
    {
        // Long enough for the CPU backend to split a full reduction over its cores and to fill
        // the sum's gradient in parallel; the maximum sits in the last part.
        int n = 300_001;
        var r = new Random(5);
        var values = Enumerable.Range(0, n).Select(_ => (float)r.NextDouble()).ToArray();
        values[n - 7] = 3;
        var x = T(values, n);
        x.RequiresGrad = true;
        Recorded(() =>
        {
            var sum = x.Sum();
            AssertClose([values.Sum(v => (double)v)], sum.ToArray(), 1e-5);
            AssertClose([3], x.Max().ToArray());
            (sum * 2).Backward();
        });
        Assert.All(x.Grad!.ToArray(), g => Assert.Equal(2f, g));

        values[17] = float.NaN;
        Assert.True(float.IsNaN(T(values, n).Max().Item()), "a NaN in the first part makes the maximum NaN");
    }

    [Fact]
    public void NaN_inputs_propagate_instead_of_crashing()
    {
        var x = T([float.NaN, 1, 2, 3], 2, 2);
        Assert.True(float.IsNaN(x.Sigmoid().ToArray()[0]));
        Assert.True(float.IsNaN(x.Relu().ToArray()[0]));
        Assert.True(float.IsNaN(x.Sum().Item()));
        Assert.True(float.IsNaN(x.Max().Item()));
        Assert.True(float.IsNaN(x.MatMul(x).ToArray()[0]));
        Assert.True(float.IsNaN(x.Softmax().ToArray()[0]));
        Assert.True(float.IsNaN(Loss.CrossEntropy(x, T([0, 1], 2)).Item()));
        Assert.False(float.IsNaN(x.Softmax().ToArray()[2]));
    }
}
