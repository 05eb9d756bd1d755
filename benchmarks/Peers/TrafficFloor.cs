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

    /// <summary>
    /// Bytes a batch-1 step must read and write with <paramref name="optimizer"/> ("sgd" with
    /// momentum, or "adam"): the forward pass reads every weight; the backward pass reads the
    /// upper layers' weights again (input gradients) and writes every gradient; the optimizer
    /// reads each parameter, its gradient and its state (momentum; or both Adam moments) and
    /// writes the parameter and the state. Activations (a few KB) are left out.
    /// </summary>
    public static double Bytes(string optimizer)
    {
        long p = Parameters;
        long upper = Layers.Skip(1).Sum(l => (long)l.In * l.Out);
        int state = optimizer == "adam" ? 2 : 1;
        return 4.0 * (p + upper + p + (p * (2 + state)) + (p * (1 + state)));
    }

    /// <summary>Bytes the step touches: parameters, gradients and optimizer state.</summary>
    public static double WorkingSet(string optimizer) => 4.0 * Parameters * (2 + (optimizer == "adam" ? 2 : 1));

    /// <summary>The optimizers of the batch-1 steps the peers run.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["sgd", "adam"];

    /// <summary>The name of the bandwidth measured at the working set of the <paramref name="optimizer"/> step.</summary>
    public static string Level(string optimizer) => $"{optimizer} step's working set";
}
