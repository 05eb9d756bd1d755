namespace TensorGrad.Lab.Tests;

/// <summary>The status rules on made-up histories.</summary>
public sealed class TrainingStatusTests
{
    private static readonly double[] Level = [1, 1];

    [Fact]
    public void AFallingLossIsStable()
    {
        var status = Feed(Enumerable.Range(1, 400).Select(s => 2.3 / s));

        Assert.Equal(("stable", "stable"), (status.Kind, status.Text));
    }

    [Fact]
    public void ALossHundredsOfTimesItsBestAndAboveItsStartIsDiverging()
    {
        var status = Feed([2.3, 1.0, 0.5, .. Enumerable.Range(0, 200).Select(s => 0.5 * Math.Pow(1.1, s))]);

        // The smoothed loss is lowest at step 16, before the rise shows through the smoothing.
        Assert.Equal("diverging", status.Kind);
        Assert.Equal("diverging: loss ×100 since step 16", status.Text);
    }

    [Fact]
    public void ALossWobblingNearZeroIsNotDiverging()
    {
        var status = Feed([2.3, .. Enumerable.Range(0, 400).Select(s => s % 50 < 25 ? 1e-7 : 1e-4)]);

        Assert.Equal("stable", status.Kind);
    }

    [Fact]
    public void ANaNNamesTheStepAndTheOpAndKeepsTheDivergence()
    {
        var status = Feed([2.3, 1.0, 0.5, .. Enumerable.Range(0, 200).Select(s => 0.5 * Math.Pow(1.1, s))]);
        status.NotANumber(204, "Linear+ReLU");
        status.Observe(205, 0.1, Level);

        Assert.Equal("nan", status.Kind);
        Assert.Equal("diverging: loss ×100 since step 16; NaN at step 204 (op Linear+ReLU)", status.Text);
    }

    [Fact]
    public void AFirstLayerGradientFarBelowTheLastIsVanishing()
    {
        var status = new TrainingStatus();
        status.Observe(1, 2.3, [3e-9, 1e-4, 0.5]);

        Assert.Equal(("vanishing", "vanishing: first-layer gradient 10⁻⁸ of the last"), (status.Kind, status.Text));
    }

    [Fact]
    public void ALossStillAtItsStartAfterManyStepsIsStalled()
    {
        var status = Feed(Enumerable.Repeat(2.3, TrainingStatus.StallSteps + 1));

        Assert.Equal("stalled", status.Kind);
        Assert.StartsWith("stalled: loss 2.3 after 301 steps", status.Text, StringComparison.Ordinal);
    }

    private static TrainingStatus Feed(IEnumerable<double> losses)
    {
        var status = new TrainingStatus();
        int step = 0;
        foreach (double loss in losses)
        {
            status.Observe(++step, loss, Level);
        }

        return status;
    }
}
