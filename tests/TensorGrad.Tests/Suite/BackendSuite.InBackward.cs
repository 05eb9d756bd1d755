using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>Optimizers stepping in the backward pass: the same parameters as Backward then Step, and the bookkeeping around it.</summary>
public abstract partial class BackendSuite
{
    private static Optimizer MakeOptimizer(string kind, IEnumerable<Tensor> parameters) => kind switch
    {
        "sgd" => new Sgd(parameters, lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
        "nesterov" => new Sgd(parameters, lr: 0.1, momentum: 0.9, nesterov: true),
        "plain" => new Sgd(parameters, lr: 0.1),
        "adam" => new Adam(parameters, lr: 0.01, weightDecay: 0.01),
        "adamw" => new AdamW(parameters, lr: 0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private Sequential InBackwardModel(int seed) =>
        new(new Linear(6, 9, Device, seed: seed), new ReLU(), new Linear(9, 5, Device, seed: seed + 1), new Tanh(), new Linear(5, 3, Device, bias: false, seed: seed + 2));

    [Theory]
    [InlineData("sgd", 1)]
    [InlineData("nesterov", 3)]
    [InlineData("plain", 4)]
    [InlineData("adam", 1)]
    [InlineData("adamw", 2)]
    [InlineData("sgd", 7)]
    [InlineData("adam", 7)]
    public void Stepping_in_backward_leaves_the_parameters_that_backward_and_step_leave(string kind, int batch)
    {
        var explicitModel = InBackwardModel(11);
        var inBackwardModel = InBackwardModel(11);
        var explicitOptimizer = MakeOptimizer(kind, explicitModel.Parameters());
        var inBackwardOptimizer = MakeOptimizer(kind, inBackwardModel.Parameters());
        using var handle = inBackwardOptimizer.StepInBackward();
        Assert.True(inBackwardOptimizer.StepsInBackward);
        for (int step = 0; step < 4; step++)
        {
            var x = Tensor.Randn([batch, 6], 100 + step, Device);
            var y = T([.. Enumerable.Range(0, batch).Select(i => (float)((i + step) % 3))], batch);

            // A schedule changes the rate between steps; each step uses the rate set before it.
            explicitOptimizer.LearningRate = inBackwardOptimizer.LearningRate = 0.05 / (step + 1);
            explicitOptimizer.ZeroGrad();
            Recorded(() => Loss.CrossEntropy(explicitModel.Forward(x), y).Backward());
            explicitOptimizer.Step();
            Recorded(() => Loss.CrossEntropy(inBackwardModel.Forward(x), y).Backward());

            Assert.All(inBackwardModel.Parameters(), p => Assert.Null(p.Grad));
        }

        var expected = explicitModel.Parameters().Select(p => p.ToArray()).ToList();
        var actual = inBackwardModel.Parameters().Select(p => p.ToArray()).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(explicitOptimizer.StepCount, inBackwardOptimizer.StepCount);
        Assert.Equal(explicitOptimizer.GetState().ParameterSteps, inBackwardOptimizer.GetState().ParameterSteps);
        Assert.NotEqual(InBackwardModel(11).Parameters().First().ToArray(), actual[0]);
    }

    [Fact]
    public void A_layer_used_twice_steps_in_backward_once_with_both_gradients_and_an_unused_layer_not_at_all()
    {
        Sequential Make() => new(new Linear(4, 4, Device, seed: 3), new Linear(4, 2, Device, seed: 4));
        var explicitModel = Make();
        var inBackwardModel = Make();
        var explicitOptimizer = new Sgd(explicitModel.Parameters(), lr: 0.1, momentum: 0.5);
        var inBackwardOptimizer = new Sgd(inBackwardModel.Parameters(), lr: 0.1, momentum: 0.5);
        using var handle = inBackwardOptimizer.StepInBackward();
        var x = Tensor.Randn([1, 4], 5, Device);
        for (int step = 0; step < 2; step++)
        {
            // The first layer twice; the second layer is left out of the loss.
            explicitOptimizer.ZeroGrad();
            Recorded(() => explicitModel[0].Forward(explicitModel[0].Forward(x)).Square().Sum().Backward());
            explicitOptimizer.Step();
            Recorded(() => inBackwardModel[0].Forward(inBackwardModel[0].Forward(x)).Square().Sum().Backward());
        }

        Assert.Equal(explicitModel.Parameters().Select(p => p.ToArray()), inBackwardModel.Parameters().Select(p => p.ToArray()));
        Assert.Equal([2, 2, 0, 0], inBackwardOptimizer.GetState().ParameterSteps);
        Assert.Equal(2, inBackwardOptimizer.StepCount);
    }

    [Fact]
    public void Step_throws_while_an_optimizer_steps_in_backward_and_works_again_once_the_handle_is_disposed()
    {
        var layer = new Linear(3, 2, Device, seed: 1);
        var optimizer = new Sgd(layer.Parameters(), lr: 0.1);
        var handle = optimizer.StepInBackward();
        var error = Assert.Throws<InvalidOperationException>(optimizer.Step);
        Assert.Contains("StepInBackward", error.Message);
        Assert.Throws<InvalidOperationException>(() => optimizer.StepInBackward());
        Assert.Throws<InvalidOperationException>(() => new Adam(layer.Parameters()).StepInBackward());

        handle.Dispose();
        Assert.False(optimizer.StepsInBackward);
        var before = layer.Weight.ToArray();
        Recorded(() => layer.Forward(Tensor.Ones(Shape.Create([1, 3]), Device)).Sum().Backward());
        Assert.NotNull(layer.Weight.Grad);
        Assert.Equal(before, layer.Weight.ToArray());
        optimizer.Step();
        Assert.NotEqual(before, layer.Weight.ToArray());
    }

    [Fact]
    public void Stepping_in_backward_refuses_parameters_that_other_gradient_hooks_watch()
    {
        var layer = new Linear(3, 2, Device, seed: 1);
        using (layer.Weight.RegisterPostAccumulateGradHook(_ => { }))
        {
            var error = Assert.Throws<InvalidOperationException>(() => new Sgd(layer.Parameters(), lr: 0.1).StepInBackward());
            Assert.Contains("parameter 0", error.Message);
        }

        using var handle = new Sgd(layer.Parameters(), lr: 0.1).StepInBackward();
        Assert.True(layer.Weight.RequiresGrad);
    }

    [Theory]
    [InlineData("sgd", 1)]
    [InlineData("adam", 3)]
    [InlineData("adamw", 6)]
    public void A_captured_step_that_steps_in_backward_updates_the_parameters_on_each_replay(string kind, int batch)
    {
        var eagerModel = InBackwardModel(21);
        var replayedModel = InBackwardModel(21);
        var eagerOptimizer = MakeOptimizer(kind, eagerModel.Parameters());
        var replayedOptimizer = MakeOptimizer(kind, replayedModel.Parameters());
        using var handle = replayedOptimizer.StepInBackward();
        var x = Tensor.Zeros(Shape.Create([batch, 6]), Device);
        var y = Tensor.Zeros(Shape.Create([batch]), Device);
        KernelGraph? graph = null;
        for (int step = 0; step < 4; step++)
        {
            var bx = Tensor.Randn([batch, 6], 200 + step, Device);
            var by = T([.. Enumerable.Range(0, batch).Select(i => (float)((i + step) % 3))], batch);
            eagerOptimizer.LearningRate = replayedOptimizer.LearningRate = 0.05 / (step + 1);
            eagerOptimizer.ZeroGrad();
            Recorded(() => Loss.CrossEntropy(eagerModel.Forward(bx), by).Backward());
            eagerOptimizer.Step();

            x.CopyFrom(bx);
            y.CopyFrom(by);
            if (graph is null)
            {
                graph = KernelGraph.Capture(() =>
                {
                    var loss = Loss.CrossEntropy(replayedModel.Forward(x), y);
                    loss.Backward();
                    return loss;
                });
            }
            else
            {
                graph.Replay();
            }

            Assert.All(replayedModel.Parameters(), p => Assert.Null(p.Grad));
        }

        Assert.Equal(eagerModel.Parameters().Select(p => p.ToArray()), replayedModel.Parameters().Select(p => p.ToArray()));
        Assert.Equal(eagerOptimizer.GetState().ParameterSteps, replayedOptimizer.GetState().ParameterSteps);
        Assert.Equal(4, replayedOptimizer.StepCount);
        graph!.Dispose();
    }
}
