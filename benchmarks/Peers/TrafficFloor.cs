namespace TensorGrad.Peers;

/// <summary>
/// The memory traffic a batch-1 training step of the 784-256-128-10 MLP cannot avoid, and the
/// time that traffic takes at the bandwidth measured for its working set: the step's floor.
/// </summary>
public static class TrafficFloor
{
    private static readonly (int In, int Out)[] Layers = [(784, 256), (256, 128), (128, 10)];

    /// <summary>Parameters of the MLP.</summary>
    public static long Parameters => Layers.Sum(l => ((long)l.In * l.Out) + l.Out);

    /// <summary>The batch-1 steps the peers run: each optimizer with <c>Step()</c>, and stepping in the backward pass.</summary>
    public static IReadOnlyList<FloorStep> Steps { get; } =
        [new("sgd", InBackward: false), new("adam", InBackward: false), new("sgd", InBackward: true), new("adam", InBackward: true)];

    /// <summary>
    /// Bytes a batch-1 step must read and write: the forward pass reads every weight; the backward
    /// pass reads the upper layers' weights again (input gradients). With <c>Step()</c> it writes
    /// every gradient, and the optimizer reads each parameter, its gradient and its state
    /// (momentum for "sgd", both moments for "adam") and writes the parameter and the state.
    /// Stepping in the backward pass, the update takes each gradient as it is made: no gradient
    /// is written or read. Activations (a few KB) are left out.
    /// </summary>
    public static double Bytes(FloorStep step)
    {
        long p = Parameters;
        long upper = Layers.Skip(1).Sum(l => (long)l.In * l.Out);
        int state = StateBuffers(step);
        long update = step.InBackward ? 2 * p * (1 + state) : p + (p * (2 + state)) + (p * (1 + state));
        return 4.0 * (p + upper + update);
    }

    /// <summary>Bytes the step touches: parameters, optimizer state and (with <c>Step()</c>) gradients.</summary>
    public static double WorkingSet(FloorStep step) => 4.0 * Parameters * (1 + (step.InBackward ? 0 : 1) + StateBuffers(step));

    /// <summary>The name of the bandwidth measured at the working set of <paramref name="step"/>.</summary>
    public static string Level(FloorStep step) => $"{step.Optimizer} step's working set{(step.InBackward ? " in backward" : "")}";

    private static int StateBuffers(FloorStep step) => step.Optimizer == "adam" ? 2 : 1;
}

/// <summary>A batch-1 MLP step with <paramref name="Optimizer"/> ("sgd" with momentum, or "adam"), stepped after the backward pass or in it.</summary>
public sealed record FloorStep(string Optimizer, bool InBackward);
