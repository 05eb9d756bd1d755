using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>Saving and restoring optimizer state: a restored optimizer continues exactly.</summary>
public abstract partial class BackendSuite
{
    private void StepWith(Optimizer optimizer, Tensor parameter, float gradient)
    {
        parameter.Grad = T([gradient, -gradient], 2);
        optimizer.Step();
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void A_restored_optimizer_continues_exactly_where_the_original_was(string kind)
    {
        Optimizer Make(Tensor p) => kind == "sgd" ? new Sgd([p], lr: 0.1, momentum: 0.9) : new Adam([p], lr: 0.1);
        var original = T([1, 2], 2);
        var optimizer = Make(original);
        for (int i = 0; i < 3; i++)
        {
            StepWith(optimizer, original, i + 1);
        }

        var state = optimizer.GetState();
        Assert.Equal(kind == "sgd" ? ["0.momentum_buffer"] : ["0.exp_avg", "0.exp_avg_sq"], state.Buffers.Keys);
        Assert.Equal([3], state.ParameterSteps);

        var copy = original.Clone();
        var restored = Make(copy);
        restored.LoadState(state);
        Assert.Equal(3, restored.StepCount);
        for (int i = 0; i < 2; i++)
        {
            StepWith(optimizer, original, -i);
            StepWith(restored, copy, -i);
        }

        Assert.Equal(original.ToArray(), copy.ToArray());
    }

    [Fact]
    public void An_optimizer_state_of_another_kind_or_shape_is_rejected_and_nothing_changes()
    {
        var p = T([1, 2], 2);
        var adam = new Adam([p], lr: 0.1);
        StepWith(adam, p, 1);
        var before = adam.FirstMoment(0)!.ToArray();

        var sgd = new Sgd([T([1, 2], 2)], lr: 0.1, momentum: 0.9);
        var e = Assert.Throws<ArgumentException>(() => adam.LoadState(sgd.GetState()));
        Assert.Contains("Adam.LoadState: the state is from Sgd", e.Message);

        var other = new Adam([T([1, 2, 3], 3)], lr: 0.1);
        other.Parameters[0].Grad = T([1, 1, 1], 3);
        other.Step();
        e = Assert.Throws<ArgumentException>(() => adam.LoadState(other.GetState()));
        Assert.Contains("'0.exp_avg' is [3] but parameter 0 is [2]", e.Message);
        Assert.Equal(before, adam.FirstMoment(0)!.ToArray());
    }
}
