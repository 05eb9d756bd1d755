using CsCheck;

namespace TensorGrad.Tests.Properties;

/// <summary>Gradient checks (float64, central differences) of random compositions of ops on random small shapes.</summary>
public sealed class GradientProperties
{
    /// <summary>Each op maps x (and a second input y of the same shape) to a tensor of x's shape, differentiable for any x.</summary>
    private static readonly Func<Tensor, Tensor, Tensor>[] Ops =
    [
        (x, y) => x * y,
        (x, y) => x + y,
        (x, y) => x - (y * 0.5),
        (x, y) => x / ((y * y) + 1),
        (x, _) => x.Tanh(),
        (x, _) => x.Sigmoid(),
        (x, _) => (x * 0.3).Exp(),
        (x, _) => x.Square() * 0.2,
        (x, _) => ((x * x) + 0.5).Log(),
        (x, _) => ((x * x) + 0.1).Sqrt(),
        (x, _) => x.Softplus(),
        (x, _) => x.Softmax(1),
        (x, _) => x.LogSoftmax(0),
        (x, _) => x - x.Mean(1, keepDim: true),
        (x, y) => x * y.Sum(0, keepDim: true),
        (x, y) => x.MatMul(y.Transpose()).MatMul(y) * 0.1,
        (x, _) => x.Reshape(-1).Reshape(x.Shape) * 1.5,
    ];

    /// <summary>A program: a shape [rows, cols] and a sequence of op codes applied in turn.</summary>
    private static readonly Gen<(int Rows, int Cols, int[] Ops, int Seed)> Programs =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 4], Gen.Int[0, Ops.Length - 1].Array[1, 5], Gen.Int[0, 1000]);

    [Fact]
    public void Analytic_gradients_match_central_differences_for_random_op_chains()
    {
        Programs.Sample(program =>
        {
            var random = new Random(program.Seed);
            Tensor Input() =>
                Tensor.FromArray([.. Enumerable.Range(0, program.Rows * program.Cols).Select(_ => (random.NextDouble() * 2) - 1)], new Shape(program.Rows, program.Cols), Device.Cpu, DType.Float64);

            using var x = Input();
            using var y = Input();
            x.RequiresGrad = true;
            y.RequiresGrad = true;
            var result = GradCheck.Check(t => program.Ops.Aggregate(t[0], (v, op) => Ops[op](v, t[1])), [x, y], seed: program.Seed);
            Assert.True(result.Passed, $"ops [{string.Join(", ", program.Ops)}] on [{program.Rows}, {program.Cols}]: {result}");
        }, iter: Budget.Iterations);
    }
}
