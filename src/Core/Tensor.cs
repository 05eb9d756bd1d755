using TensorGrad.Autograd;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>
/// An n-dimensional array of <see cref="DType"/> values on a <see cref="Device"/>, with
/// contiguous row-major storage in a backend buffer. Ops on tensors run on the tensor's
/// backend; inside a <see cref="Tape"/> they are recorded so <see cref="Backward()"/> can
/// compute gradients.
/// </summary>
/// <remarks>
/// Ownership: a tensor made by an op while a tape is active belongs to that tape and is
/// released when the tape is disposed; using it afterwards throws <see cref="ObjectDisposedException"/>.
/// Tensors made by the factory methods, or by ops outside any tape, belong to the caller, who
/// may <see cref="Dispose"/> them to return their storage to the pool early.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private IBackend backend;
    private readonly bool ownsBuffer;
    private readonly Tensor? viewOf;
    private DeviceBuffer? buffer;
    private string? releasedBy;
    private bool requiresGrad;

    internal Tensor(IBackend backend, DeviceBuffer buffer, Shape shape, string origin, Tensor? viewOf = null)
    {
        this.backend = Execution.Own(backend);
        this.buffer = buffer;
        Shape = shape;
        DType = buffer.DType;
        Origin = origin;
        this.viewOf = viewOf;
        ownsBuffer = viewOf is null;
        Execution.Created(this);
    }

    /// <summary>The dimensions of the tensor.</summary>
    public Shape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The device holding the storage.</summary>
    public Device Device => backend.Device;

    /// <summary>Number of elements.</summary>
    public long Size => Shape.Size;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaf tensors (parameters, inputs);
    /// results of recorded ops require gradients when any input does.
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (GradFn is not null && !value)
            {
                throw new InvalidOperationException($"RequiresGrad cannot be cleared on the result of {Origin}: use Detach() to get a tensor without gradient history.");
            }

            requiresGrad = value;
        }
    }

    /// <summary>
    /// The accumulated gradient of a leaf tensor after <see cref="Backward()"/>: same shape, dtype
    /// and device; owned by this tensor and kept across tapes until set to null or zeroed.
    /// </summary>
    public Tensor? Grad { get; set; }

    /// <summary>True for tensors not produced by a recorded op (parameters, inputs, constants).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>True after the storage was released (by <see cref="Dispose"/> or the owning tape).</summary>
    public bool IsDisposed => releasedBy is not null || (viewOf?.IsDisposed ?? false);

    /// <summary>The backend that runs this tensor's kernels: its own, or the recorder while a <see cref="KernelGraph"/> is captured.</summary>
    internal IBackend Backend => Execution.Route(backend);

    /// <summary>Name of the op or factory that made this tensor (used in error messages).</summary>
    internal string Origin { get; }

    /// <summary>The node that produced this tensor on a tape, or null for leaves.</summary>
    internal Node? GradFn { get; private set; }

    /// <summary>The tape that releases this tensor, or null when the user owns it.</summary>
    internal Tape? Owner { get; set; }

    /// <summary>Gradient flowing into a non-leaf tensor during a backward pass.</summary>
    internal Tensor? PendingGrad { get; set; }

    /// <summary>True once a backward pass took this temporary as a gradient slot.</summary>
    internal bool Adopted { get; set; }

    /// <summary>True while a <see cref="KernelGraph"/> writes this tensor: releasing it is left to the graph.</summary>
    internal bool Pinned { get; set; }

    /// <summary>The storage; throws <see cref="ObjectDisposedException"/> once released.</summary>
    internal DeviceBuffer Buffer
    {
        get
        {
            if (viewOf is not null)
            {
                if (!ReferenceEquals(viewOf.Buffer, buffer) && buffer is not null)
                {
                    throw new ObjectDisposedException(nameof(Tensor), $"The {Shape} tensor made by {Origin} views a tensor that Module.To moved to {viewOf.Device}; take the view again from the moved tensor.");
                }
            }

            Execution.Touched(this);

            return buffer ?? throw new ObjectDisposedException(
                nameof(Tensor),
                $"The {Shape} tensor made by {Origin} was released {releasedBy}; keep results you need past a tape by copying them (e.g. ToArray(), Detach() then clone) before the tape is disposed.");
        }
    }

    /// <summary>True when this tensor owns its storage exclusively and may be reused as a gradient slot.</summary>
    internal bool CanAdopt => ownsBuffer && Owner is not null && !Adopted && buffer is not null;

    /// <summary>
    /// Hands this tensor's storage to a new tensor of <paramref name="shape"/> (the same size),
    /// owned by the same tape, and releases this one: a reshape without a copy, for a gradient
    /// the backward pass consumes. Returns null when this tensor cannot give its storage away
    /// (<see cref="CanAdopt"/> is false).
    /// </summary>
    internal Tensor? TryMoveInto(Shape shape)
    {
        if (!CanAdopt || shape.Size != Size)
        {
            return null;
        }

        var moved = new Tensor(backend, buffer!, shape, Origin);
        Owner!.Own(moved);
        buffer = null;
        releasedBy = "by a reshape of the gradient that took over its storage";
        GradFn = null;
        PendingGrad = null;
        return moved;
    }

    internal void SetGradFn(Node node)
    {
        GradFn = node;
        requiresGrad = true;
    }

    /// <summary>Takes this tensor, and the tensor whose storage it views, out of their tape's ownership.</summary>
    internal void Disown()
    {
        Owner = null;
        viewOf?.Disown();
    }

    /// <summary>Forgets the node that produced this tensor, making it a leaf (a graph's output outlives its tape).</summary>
    internal void DropGradFn() => GradFn = null;

    /// <summary>
    /// Computes the gradient of this one-element tensor (a loss) with respect to every leaf that
    /// requires gradients, adding it into their <see cref="Grad"/> (so several calls accumulate).
    /// </summary>
    public void Backward() => Backprop.Run(this, null);

    /// <summary>Back-propagates from a tensor of any shape, seeded with <paramref name="gradient"/> of the same shape.</summary>
    public void Backward(Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        Backprop.Run(this, gradient);
    }

    /// <summary>
    /// Returns the storage to the backend's pool. Later use throws <see cref="ObjectDisposedException"/>.
    /// A tensor that a <see cref="KernelGraph"/> writes (its outputs, the gradients it hands to
    /// parameters) stays with the graph, which frees it when the graph is disposed.
    /// </summary>
    public void Dispose() => Release("by Dispose()");

    /// <summary>
    /// Returns the storage of a temporary made inside a composite op (a loss, a layer) to the pool
    /// when nothing else will: no tape owns it and no recorded op refers to it.
    /// </summary>
    internal void ReleaseIfUnowned()
    {
        if (Owner is null && GradFn is null)
        {
            Release("as a temporary of a composite op");
        }
    }

    internal void Release(string reason)
    {
        if (buffer is null || Pinned)
        {
            return;
        }

        if (ownsBuffer)
        {
            Backend.Release(buffer);
        }

        buffer = null;
        releasedBy = reason;
        GradFn = null;
        PendingGrad = null;
    }

    /// <summary>
    /// Moves this leaf's storage (and its gradient's) to <paramref name="device"/> in place, as
    /// PyTorch's <c>module.to(device)</c> does to parameters: the tensor object stays, so modules
    /// and hooks that hold it see the new device. Views taken before the move throw when used.
    /// </summary>
    internal void MoveTo(Device device, string owner)
    {
        if (Device == device)
        {
            return;
        }

        Execution.Refuse($"{owner}.To({device})", "move the model before capturing a KernelGraph");
        if (!IsLeaf || viewOf is not null || Pinned)
        {
            string why = !IsLeaf ? $"it is the result of {Origin}" : viewOf is not null ? "it views another tensor's storage" : "a KernelGraph writes it (dispose the graph first)";
            throw new InvalidOperationException($"{owner}.To({device}): the {Shape} tensor from {Origin} on {Device} cannot move: {why}.");
        }

        Grad?.MoveTo(device, owner);
        var moved = To(device);
        var old = Buffer;
        var oldBackend = backend;
        (backend, buffer) = (moved.backend, moved.buffer);
        moved.buffer = null;
        moved.releasedBy = $"by moving its storage into the {Shape} tensor from {Origin}";
        oldBackend.Release(old);
    }

    /// <summary>Describes the tensor: shape, dtype, device and origin.</summary>
    public override string ToString() => $"Tensor{Shape} {DType} on {Device} (from {Origin}{(IsDisposed ? ", released" : "")})";
}
