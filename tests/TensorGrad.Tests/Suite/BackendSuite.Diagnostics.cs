using TensorGrad.Diagnostics;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>The gradient monitor against hand-computed values, its alerts, and forward hooks.</summary>
public abstract partial class BackendSuite
{
    /// <summary>2-2-1 ReLU network whose second hidden unit is dead for x = [1, 2].</summary>
    private Sequential TinyNetwork()
    {
        var model = new Sequential(new Linear(2, 2, Device), new ReLU(), new Linear(2, 1, Device));
        var (first, last) = ((Linear)model[0], (Linear)model[2]);
        first.Weight.CopyFrom(T([1, 0, 0, -1], 2, 2));
        first.Bias!.Fill(0);
        last.Weight.CopyFrom(T([1, 1], 1, 2));
        last.Bias!.Fill(0);
        return model;
    }

    [Fact]
    public void The_monitor_records_norms_update_ratios_and_dead_units_as_computed_by_hand()
    {
        var model = TinyNetwork();
        using var monitor = new GradientMonitor(model);
        var sgd = new Sgd(model.Parameters(), lr: 0.1);
        using (var tape = Tape.Begin())
        {
            // h = [1, -2] -> ReLU [1, 0] -> y = 1; MSE against 0 is 1 and dL/dy = 2.
            var loss = Loss.Mse(model.Forward(T([1, 2], 1, 2)), T([0], 1, 1));
            loss.Backward();
        }

        sgd.Step();
        var record = monitor.Record();

        // dW1 = [[2, 4], [0, 0]], db1 = [2, 0]; dW2 = [[2, 0]], db2 = [2].
        Assert.Equal(["0", "2"], record.Layers.Select(l => l.Name));
        Assert.Equal(Math.Sqrt(24), record.Layers[0].GradientNorm, 5);
        Assert.Equal(Math.Sqrt(8), record.Layers[1].GradientNorm, 5);
        Assert.Equal(Math.Sqrt(32), record.TotalGradientNorm, 5);

        // After the step W1 = [[0.8, -0.4], [0, -1]], b1 = [-0.2, 0]: ‖Δ‖² = 0.24 against ‖w‖² = 2.
        Assert.Equal(Math.Sqrt(1.84), record.Layers[0].WeightNorm, 5);
        Assert.Equal(Math.Sqrt(0.24 / 2), record.Layers[0].UpdateRatio, 5);
        Assert.Equal(new ActivationStats("1", 0.5), Assert.Single(record.Activations));
        Assert.Empty(monitor.Alerts);
    }

    [Fact]
    public void Alerts_fire_on_vanishing_exploding_and_non_finite_gradients()
    {
        var model = TinyNetwork();
        using var monitor = new GradientMonitor(model, capacity: 4);
        var raised = new List<GradientAlert>();
        monitor.AlertRaised += raised.Add;
        var (first, last) = ((Linear)model[0], (Linear)model[2]);

        void Gradients(float firstLayer, float lastLayer)
        {
            first.Weight.Grad = T([firstLayer, firstLayer, firstLayer, firstLayer], 2, 2);
            last.Weight.Grad = T([lastLayer, lastLayer], 1, 2);
        }

        for (int i = 0; i < 3; i++)
        {
            Gradients(1, 1);
            monitor.Record();
        }

        Assert.Empty(raised);
        Gradients(1e-5f, 1);
        monitor.Record();
        Assert.Equal(GradientAlertKind.Vanishing, Assert.Single(raised).Kind);
        Assert.Contains("first layer (0)", raised[0].Message);

        // Still vanishing: no new alert until the condition clears and returns.
        monitor.Record();
        Assert.Single(raised);

        Gradients(100, 100);
        monitor.Record();
        Assert.Equal(GradientAlertKind.Exploding, raised[^1].Kind);
        Assert.Matches(@"is \d+(\.\d+)?× its recent mean", raised[^1].Message);

        Gradients(float.NaN, 1);
        monitor.Record();
        Assert.Equal(GradientAlertKind.NonFinite, raised[^1].Kind);
        Assert.Contains("layer 0", raised[^1].Message);
        Assert.Equal(4, monitor.Records.Count);
        Assert.Equal(3, monitor.Alerts.Count);
    }

    [Fact]
    public void A_healthy_training_run_raises_no_alert()
    {
        var (x, y) = RegressionData();
        var model = Mlp(5);
        using var monitor = new GradientMonitor(model);
        var adam = new Adam(model.Parameters(), lr: 0.01);
        for (int step = 0; step < 50; step++)
        {
            using var tape = Tape.Begin();
            var loss = Loss.Mse(model.Forward(x), y);
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
            monitor.Record();
        }

        Assert.Empty(monitor.Alerts);
        Assert.All(monitor.Records, r => Assert.All(r.Layers, l => Assert.InRange(l.UpdateRatio, 1e-6, 1)));
    }

    [Fact]
    public void Forward_hooks_see_each_call_until_removed()
    {
        var layer = new Tanh();
        var seen = new List<(Shape, Shape)>();
        var handle = layer.RegisterForwardHook((module, input, output) => seen.Add((input.Shape, output.Shape)));
        layer.Forward(T([1, 2, 3], 3));
        handle.Dispose();
        handle.Dispose();
        layer.Forward(T([1, 2], 2));
        Assert.Equal([(new Shape(3), new Shape(3))], seen);
        Assert.Equal(["", "0", "1"], new Sequential(new ReLU(), layer).NamedModules().Select(m => m.Name));
    }
}
