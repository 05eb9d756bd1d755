namespace TensorGrad.Tests.Core;

public sealed class GradCheckTests
{
    [Fact]
    public void A_correct_gradient_passes()
    {
        var x = Tensor.FromArray([0.3, -1.2, 2.0], 3);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => (t[0] * t[0]).Tanh(), [x]);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.Ratio < 0.1, result.ToString());
    }

    [Fact]
    public void A_wrong_gradient_fails_and_names_the_worst_element()
    {
        // Detach hides one factor from autograd, so the analytic gradient is x while the
        // numeric one is 2x: GradCheck must catch it.
        var x = Tensor.FromArray([1.0, 2.0, 5.0], 3);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => t[0] * t[0].Detach(), [x]);
        Assert.False(result.Passed);
        Assert.Equal(0, result.InputIndex);
        Assert.Equal(2, result.ElementIndex);
        Assert.Equal(2 * result.Analytic, result.Numeric, 4);
        Assert.Contains("FAILED", result.ToString());
    }

    [Fact]
    public void Inputs_without_requires_grad_are_not_checked_and_originals_are_untouched()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        var c = Tensor.FromArray([3f, 4f], 2);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => t[0] * t[1], [x, c]);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(0, result.InputIndex);
        Assert.Null(x.Grad);
        Assert.Equal([1f, 2f], x.ToArray());
        Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t[0], [c]));
    }
}
