using TensorGrad.Autograd;

namespace TensorGrad;

/// <summary>
/// Records tensor ops in execution order for reverse-mode differentiation and owns every
/// tensor they produce. Tapes are per thread and nest: <c>using var tape = Tape.Begin();</c>.
/// Disposing the tape returns its tensors' storage to the pool; parameters' gradients
/// (<see cref="Tensor.Grad"/>) survive it.
/// </summary>
public sealed class Tape : IDisposable
{
    [ThreadStatic]
    private static Tape? current;

    [ThreadStatic]
    private static int noGradDepth;

    // The lists of the last disposed tape on this thread, handed to the next one: a training loop
    // begins a tape per step, and reusing their grown arrays keeps steps from reallocating them.
    [ThreadStatic]
    private static (List<Node> Nodes, List<Tensor> Owned)? spareLists;

    // What a disposed tape holds instead: empty, and never added to (only the current tape records).
    private static readonly List<Node> NoNodes = [];
    private static readonly List<Tensor> NoTensors = [];

    private List<Node> nodes;
    private List<Tensor> owned;
    private bool disposed;

    private Tape(Tape? parent, bool recordsGradients)
    {
        Parent = parent;
        RecordsGradients = recordsGradients;
        (nodes, owned) = spareLists ?? ([], []);
        spareLists = null;
    }

    /// <summary>The innermost active tape of this thread, or null.</summary>
    public static Tape? Current => current;

    /// <summary>False inside a <see cref="NoGrad"/> scope (and during a backward pass).</summary>
    public static bool IsGradEnabled => noGradDepth == 0;

    /// <summary>False for an evaluation tape (<c>Tape.Begin(recordGradients: false)</c>), which records no ops.</summary>
    public bool RecordsGradients { get; }

    /// <summary>Number of ops recorded on this tape.</summary>
    public int NodeCount => nodes.Count;

    /// <summary>Number of tensors this tape will release when disposed.</summary>
    public int OwnedCount => owned.Count;

    internal Tape? Parent { get; }

    internal IReadOnlyList<Node> Nodes => nodes;

    /// <summary>
    /// Starts a tape on this thread; ops record on it until it is disposed. With
    /// <paramref name="recordGradients"/> false it is an evaluation scope: nothing is recorded (as
    /// inside <see cref="NoGrad"/>), and the tape still owns and releases every tensor made in it,
    /// so <c>using var tape = Tape.Begin(recordGradients: false);</c> is all an evaluation loop needs.
    /// </summary>
    public static Tape Begin(bool recordGradients = true)
    {
        var tape = new Tape(current, recordGradients);
        current = tape;
        if (!recordGradients)
        {
            noGradDepth++;
        }

        return tape;
    }

    /// <summary>
    /// A scope in which ops are not recorded (evaluation, inference). Results are still owned by
    /// the active tape, if any. Dispose the scope to restore recording.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>
    /// A scope in which every recorded op's output and every gradient of a backward pass is checked
    /// for NaN and infinity; the first bad value throws an <see cref="AnomalyException"/> naming
    /// the op, its inputs and the line that recorded it. Slow (each check reads the values back):
    /// turn it on to find where a NaN comes from, not for normal training.
    /// </summary>
    public static AnomalyScope DetectAnomaly()
    {
        Anomaly.Enter();
        return new AnomalyScope();
    }

    /// <summary>True inside a <see cref="DetectAnomaly"/> scope.</summary>
    public static bool IsAnomalyDetectionEnabled => Anomaly.Enabled;

    /// <summary>Releases every tensor this tape owns and ends recording on it.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        if (current != this)
        {
            throw new InvalidOperationException("Tapes must be disposed innermost first, on the thread that began them (use `using var tape = Tape.Begin();`).");
        }

        disposed = true;
        current = Parent;
        if (!RecordsGradients)
        {
            noGradDepth--;
        }

        foreach (var t in owned)
        {
            if (t.Owner == this)
            {
                t.Release("when its tape was disposed");
            }
        }

        owned.Clear();
        nodes.Clear();
        spareLists = (nodes, owned);
        (nodes, owned) = (NoNodes, NoTensors);
    }

    /// <summary>True when an op with these inputs must be recorded.</summary>
    internal static bool ShouldRecord(Tensor a) => current is not null && noGradDepth == 0 && a.RequiresGrad;

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    internal static bool ShouldRecord(Tensor a, Tensor b) => current is not null && noGradDepth == 0 && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>Records <paramref name="node"/> as the producer of <paramref name="output"/> on the active tape.</summary>
    internal static void Record(Node node, Tensor output)
    {
        node.Output = output;
        output.SetGradFn(node);
        current!.nodes.Add(node);
        if (Anomaly.Enabled)
        {
            Anomaly.OnRecord(node, output);
        }
    }

    internal void Own(Tensor tensor)
    {
        tensor.Owner = this;
        owned.Add(tensor);
    }

    internal static void EnterNoGrad() => noGradDepth++;

    internal static void ExitNoGrad() => noGradDepth--;

    /// <summary>Ends a <see cref="DetectAnomaly"/> scope when disposed.</summary>
    public readonly struct AnomalyScope : IDisposable
    {
        /// <summary>Turns anomaly detection off (unless an outer scope is active).</summary>
        public void Dispose() => Anomaly.Exit();
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Restores gradient recording.</summary>
        public void Dispose() => ExitNoGrad();
    }
}
