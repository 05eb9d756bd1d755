using TensorGrad.Backends;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Core;

/// <summary>Which parameters an optimizer stepping in the backward pass takes as a weight-gradient product, and which as a gradient.</summary>
public sealed class StepInBackwardTests
{
    [Fact]
    public void LinearWeightsUsedOnceTakeTheProductAndTheBiasesTheGradient()
    {
        var model = new Sequential(new Linear(4, 3, seed: 1), new ReLU(), new Linear(3, 2, seed: 2));
        var optimizer = new PathOptimizer(model.Parameters(), takesProducts: true);
        using var handle = optimizer.StepInBackward();
        Pass(() => model.Forward(Tensor.Ones(Shape.Create([2, 4]))).Sum());

        // Parameters: weight 0, bias 0, weight 1, bias 1; each stepped once, in the order the pass completes them.
        Assert.Equal([(2, "product", 1), (3, "gradient", 1), (0, "product", 1), (1, "gradient", 1)], optimizer.Calls);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void AnOptimizerWithoutAProductRuleGetsEveryGradientAsATensor()
    {
        var model = new Sequential(new Linear(4, 3, seed: 1), new Linear(3, 2, seed: 2));
        var optimizer = new PathOptimizer(model.Parameters(), takesProducts: false);
        using var handle = optimizer.StepInBackward();
        Pass(() => model.Forward(Tensor.Ones(Shape.Create([1, 4]))).Sum());

        Assert.Equal(["gradient"], optimizer.Calls.Select(c => c.Path).Distinct());
        Assert.Equal([0, 1, 2, 3], optimizer.Calls.Select(c => c.Index).Order());
    }

    [Fact]
    public void AWeightUsedTwiceOrCheckedForAnomaliesTakesItsGradientAsATensor()
    {
        var layer = new Linear(3, 3, seed: 1);
        var optimizer = new PathOptimizer(layer.Parameters(), takesProducts: true);
        using var handle = optimizer.StepInBackward();
        Pass(() => layer.Forward(layer.Forward(Tensor.Ones(Shape.Create([1, 3])))).Sum());
        using (Tape.DetectAnomaly())
        {
            Pass(() => layer.Forward(Tensor.Ones(Shape.Create([1, 3]))).Sum());
        }

        Assert.Equal([(0, "gradient", 1), (1, "gradient", 1), (0, "gradient", 2), (1, "gradient", 2)], optimizer.Calls.OrderBy(c => c.Step).ThenBy(c => c.Index));
    }

    private static void Pass(Func<Tensor> loss)
    {
        using var tape = Tape.Begin();
        loss().Backward();
    }

    /// <summary>Records each update and the form its gradient came in; changes nothing.</summary>
    private sealed class PathOptimizer(IEnumerable<Tensor> parameters, bool takesProducts) : Optimizer(parameters, 0.1)
    {
        public List<(int Index, string Path, int Step)> Calls { get; } = [];

        protected override IReadOnlyList<(string Name, Tensor?[] Slots)> StateBuffers => [];

        protected override void Update(int index, Tensor parameter, Tensor gradient, int step) => Calls.Add((index, "gradient", step));

        protected override bool TakesProducts => takesProducts;

        protected override void UpdateFromProduct(int index, Tensor parameter, in LinearWeightGradient gradient, int step) => Calls.Add((index, "product", step));
    }
}
