namespace TensorGrad.Tests.Suite;

/// <summary>Anomaly detection names the op that first produced a NaN or infinity.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void Anomaly_mode_names_the_forward_op_that_made_a_nan_and_where_it_was_recorded()
    {
        var x = T([1, -1, 2], 3);
        x.RequiresGrad = true;
        using var anomalies = Tape.DetectAnomaly();
        using var tape = Tape.Begin();
        var e = Assert.Throws<AnomalyException>(() => (x * 2).Log());
        Assert.Equal("Log", e.Op);
        Assert.False(e.InBackward);
        Assert.Contains("NaN at element 1", e.Message);
        Assert.Contains("inputs [3] from Mul", e.Message);
        Assert.Contains("Anomaly_mode_names_the_forward_op_that_made_a_nan_and_where_it_was_recorded", e.Message);
        if (new System.Diagnostics.StackFrame(0, needFileInfo: true).GetFileName() is not null)
        {
            // Where the runtime has line information (not in a single-file bundle), the file too.
            Assert.Contains("BackendSuite.Anomaly.cs", e.Message);
        }
    }

    [Fact]
    public void Anomaly_mode_names_the_backward_op_whose_gradient_is_not_finite()
    {
        // sqrt(x) is finite at 0 but its gradient 1/(2√x) is infinite there.
        var x = T([0, 4], 2);
        x.RequiresGrad = true;
        using var anomalies = Tape.DetectAnomaly();
        using var tape = Tape.Begin();
        var loss = x.Sqrt().Sum();
        var e = Assert.Throws<AnomalyException>(loss.Backward);
        Assert.Equal("Sqrt", e.Op);
        Assert.True(e.InBackward);
        Assert.Contains("Infinity at element 0", e.Message);
        Assert.Contains("gradient of input 0 [2]", e.Message);
    }

    [Fact]
    public void Without_anomaly_mode_non_finite_values_flow_silently_and_division_by_zero_is_caught_with_it()
    {
        var x = T([1, 0], 2);
        x.RequiresGrad = true;
        using (var tape = Tape.Begin())
        {
            Assert.True(float.IsInfinity((1f / x).ToArray()[1]));
            Assert.False(Tape.IsAnomalyDetectionEnabled);
        }

        using (Tape.DetectAnomaly())
        {
            using var tape = Tape.Begin();
            var e = Assert.Throws<AnomalyException>(() => 1f / x);
            Assert.Contains("ReverseDiv produced Infinity at element 1", e.Message);
        }

        Assert.False(Tape.IsAnomalyDetectionEnabled);
    }
}
