using TensorGrad.Autograd;
using TensorGrad.Backends;

namespace TensorGrad.Graphs;

/// <summary>
/// A <see cref="KernelGraph"/> being captured on this thread: the kernels launched so far, the
/// releases held back, the tensors made during the capture, the tensors from before it that the
/// kernels read or write, and the gradient slots of leaves.
/// </summary>
internal sealed class KernelCapture : IExecutionScope
{
    private readonly List<Action> commands = [];
    private readonly Dictionary<(IBackend Backend, long Length, DType DType), Stack<DeviceBuffer>> released = [];
    private readonly HashSet<Tensor> created = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> touched = new(ReferenceEqualityComparer.Instance);
    private readonly List<LeafSlot> leafSlots = [];
    private RecordingBackend? recorder;

    private KernelCapture()
    {
    }

    public IReadOnlyList<Action> Commands => commands;

    /// <summary>The buffers released during the capture and not taken back: the graph returns them to their pools when disposed.</summary>
    public IEnumerable<(IBackend Backend, DeviceBuffer Buffer)> Releases => released.SelectMany(p => p.Value.Select(buffer => (p.Key.Backend, buffer)));

    public IReadOnlyList<LeafSlot> LeafSlots => leafSlots;

    /// <summary>Tensors from before the capture whose storage the recorded kernels use.</summary>
    public IEnumerable<Tensor> Inputs => touched.Where(t => !created.Contains(t));

    /// <summary>Tensors made during the capture that are still alive: the graph keeps them.</summary>
    public IEnumerable<Tensor> Survivors => created.Where(t => !t.IsDisposed);

    /// <summary>Starts a capture on this thread (through <see cref="Execution"/>).</summary>
    public static KernelCapture Begin()
    {
        var capture = new KernelCapture();
        Execution.Enter(capture);
        return capture;
    }

    /// <summary>The error for <paramref name="what"/> inside a capture.</summary>
    public static InvalidOperationException Refused(string what, string instead) => new($"KernelGraph.Capture: {what} cannot be captured; {instead}.");

    /// <summary>The backend an op sees for a tensor on <paramref name="backend"/>: the recorder while capturing.</summary>
    public IBackend Route(IBackend backend)
    {
        if (recorder?.Real != backend)
        {
            recorder = new RecordingBackend(backend, this);
        }

        return recorder;
    }

    /// <summary>The real backend behind a possibly recording one.</summary>
    public IBackend Unroute(IBackend backend) => backend is RecordingBackend r ? r.Real : backend;

    public void Add(Action command) => commands.Add(command);

    public void DeferRelease(IBackend backend, DeviceBuffer buffer)
    {
        var key = (backend, buffer.Length, buffer.DType);
        if (!released.TryGetValue(key, out var stack))
        {
            released[key] = stack = new Stack<DeviceBuffer>();
        }

        stack.Push(buffer);
    }

    /// <summary>
    /// A buffer released earlier in the capture with this length and type, taken back for a new
    /// allocation (the last such release first, as the pool would), or null. A replay runs the
    /// kernels in capture order, so every kernel that used the buffer before its release has run
    /// before any kernel of its new owner: the graph holds no more memory than the eager step.
    /// </summary>
    public DeviceBuffer? TakeReleased(IBackend backend, long length, DType dtype) =>
        released.TryGetValue((backend, length, dtype), out var stack) && stack.Count > 0 ? stack.Pop() : null;

    public void Created(Tensor tensor) => created.Add(tensor);

    public void Touched(Tensor tensor) => touched.Add(tensor);

    /// <inheritdoc />
    public void Refuse(string what, string instead) => throw Refused(what, instead);

    /// <summary>
    /// Adds a leaf's gradient contribution, held in <paramref name="slot"/> (a tensor the capture
    /// made), as a step of the graph: now, and on every replay, with the leaf's gradient as it is then.
    /// </summary>
    public void AddLeafGradient(Tensor leaf, Tensor slot)
    {
        var leafSlot = new LeafSlot(leaf, slot);
        leafSlots.Add(leafSlot);
        AddHostStep(leafSlot.Accumulate);
    }

    /// <inheritdoc />
    public void AddHostStep(Action step)
    {
        Execution.Leave();
        try
        {
            step();
        }
        finally
        {
            Execution.Enter(this);
        }

        commands.Add(step);
    }

    /// <summary>Ends recording on this thread.</summary>
    public void End() => Execution.Leave();

    /// <summary>A leaf and the tensor its gradient contribution is written to by the graph's kernels.</summary>
    internal sealed record LeafSlot(Tensor Leaf, Tensor Slot)
    {
        /// <summary>The slot becomes the leaf's gradient when it has none, or is added to the one it has.</summary>
        public void Accumulate()
        {
            if (Leaf.Grad is null)
            {
                Leaf.Grad = Slot;
            }
            else if (!ReferenceEquals(Leaf.Grad, Slot))
            {
                Backprop.AddInPlace(Leaf.Grad, Slot, Leaf);
            }
        }
    }
}
