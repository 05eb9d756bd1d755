using TensorGrad.Nn;

namespace TensorGrad.Tests.Core;

/// <summary>Tensor.RegisterPostAccumulateGradHook: once per backward pass, when the leaf's gradient is final.</summary>
public sealed class GradientHookTests
{
    [Fact]
    public void AHookSeesTheWholeGradientOfALeafUsedTwiceAndRunsOncePerPass()
    {
        var w = Tensor.FromArray([2f, 3], 2);
        w.RequiresGrad = true;
        var seen = new List<float[]>();
        using var hook = w.RegisterPostAccumulateGradHook(t => seen.Add(t.Grad!.ToArray()));
        for (int pass = 0; pass < 2; pass++)
        {
            using var tape = Tape.Begin();
            ((w * Tensor.FromArray([1f, 1], 2)) + (w * w)).Sum().Backward();
        }

        // d/dw (w + w²) = 1 + 2w per pass, accumulated over the two passes.
        Assert.Equal([[5f, 7], [10f, 14]], seen);
    }

    [Fact]
    public void TheLastLayersHookRunsBeforeTheFirstLayersGradientExists()
    {
        var first = new Linear(4, 3);
        var last = new Linear(3, 2);
        bool firstHadGradient = true;
        using var hook = last.Weight.RegisterPostAccumulateGradHook(_ => firstHadGradient = first.Weight.Grad is not null);
        using (var tape = Tape.Begin())
        {
            last.Forward(first.Forward(Tensor.Ones(Shape.Create([5, 4])))).Sum().Backward();
        }

        Assert.False(firstHadGradient);
        Assert.NotNull(first.Weight.Grad);
    }

    [Fact]
    public void AHookDoesNotRunForALeafOutsideThePassNorAfterItsHandleIsDisposed()
    {
        var used = Tensor.FromArray([1f], 1);
        var unused = Tensor.FromArray([1f], 1);
        used.RequiresGrad = unused.RequiresGrad = true;
        int usedCalls = 0, unusedCalls = 0;
        var handle = used.RegisterPostAccumulateGradHook(_ => usedCalls++);
        using var other = unused.RegisterPostAccumulateGradHook(_ => unusedCalls++);
        for (int pass = 0; pass < 2; pass++)
        {
            using var tape = Tape.Begin();
            (used * 3).Sum().Backward();
            handle.Dispose();
        }

        Assert.Equal((1, 0), (usedCalls, unusedCalls));
    }

    [Fact]
    public void OnlyLeavesTakeHooks()
    {
        var x = Tensor.FromArray([1f], 1);
        x.RequiresGrad = true;
        using var tape = Tape.Begin();
        var y = x * 2;

        var e = Assert.Throws<InvalidOperationException>(() => y.RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("not a leaf", e.Message, StringComparison.Ordinal);
    }
}
