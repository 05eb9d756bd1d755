using TensorGrad.Backends;
using TensorGrad.Graphs;

namespace TensorGrad;

/// <summary>
/// The kernels of one step (forward, loss and backward of a training step, or a forward pass),
/// captured once and replayed on the same buffers, as CUDA graphs and tinygrad's TinyJit do.
/// A replay skips everything but the kernels: no tensors, shape checks or tape nodes are made,
/// so a steady training step allocates no managed memory.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Capture(Func{Tensor})"/> runs the step once, as an eager call would (its gradients reach the
/// parameters), and keeps the kernels it launched. <see cref="Replay"/> runs them again on the
/// same storage: to feed a new batch, create the input tensors before capturing and
/// <see cref="Tensor.CopyFrom"/> new values into them before each replay.
/// </para>
/// <para>
/// A captured step may not read values to the host (Item, ToArray, norms, anomaly detection),
/// upload host data, zero gradients or run an optimizer step: a replay could not repeat those
/// decisions, so capturing them throws. Call <c>opt.ZeroGrad()</c> before and <c>opt.Step()</c>
/// after each replay. An optimizer that steps in the backward pass
/// (<see cref="Optim.Optimizer.StepInBackward"/>) is captured with the step instead: each replay
/// updates the parameters, reading the learning rate and step count as it runs.
/// </para>
/// <para>
/// Ownership: the graph owns every tensor made while capturing that outlives the step, the
/// <see cref="Outputs"/> and the gradient tensors it writes among them; disposing them is left to
/// the graph. A parameter's gradient that is a graph tensor is written by the next replay, so when
/// gradients are not zeroed between replays the replay first moves the old one to a copy
/// (gradient accumulation works, at the cost of that copy). Tensors from before the capture that
/// the step reads (parameters, inputs) must stay alive while the graph does.
/// </para>
/// </remarks>
public sealed class KernelGraph : IDisposable
{
    private readonly Action[] commands;
    private readonly KernelCapture.LeafSlot[] leafSlots;
    private readonly Tensor[] inputs;
    private readonly Tensor[] kept;
    private readonly (IBackend Backend, DeviceBuffer Buffer)[] releases;
    private bool disposed;

    private KernelGraph(KernelCapture capture, Tensor[] outputs)
    {
        commands = [.. capture.Commands];
        leafSlots = [.. capture.LeafSlots];
        inputs = [.. capture.Inputs];
        kept = [.. capture.Survivors];
        releases = [.. capture.Releases];
        Outputs = outputs;
        foreach (var t in kept)
        {
            t.Owner = null;
            t.Pinned = true;
        }
    }

    /// <summary>What the captured step returned (a loss, a prediction): rewritten by each <see cref="Replay"/>.</summary>
    public Tensor Output => Outputs[0];

    /// <summary>Every tensor the captured step returned, in order (e.g. the loss and the logits); each is rewritten by each <see cref="Replay"/>.</summary>
    public IReadOnlyList<Tensor> Outputs { get; }

    /// <summary>Number of kernels (and gradient hand-overs) a replay runs.</summary>
    public int KernelCount => commands.Length;

    /// <summary>
    /// Runs <paramref name="step"/> once on its own tape and records its kernels. Call it outside
    /// any tape. The step typically computes a loss, calls <c>loss.Backward()</c> and returns the loss.
    /// </summary>
    /// <exception cref="InvalidOperationException">A tape is active, or the step does something a replay cannot repeat (the message says what and what to do instead).</exception>
    public static KernelGraph Capture(Func<Tensor> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Capture(() => [step()]);
    }

    /// <summary>
    /// Captures a step that returns several tensors to read after each replay, e.g. the loss and the
    /// logits for accuracy: <c>KernelGraph.Capture(() =&gt; [loss, logits])</c>. Otherwise as
    /// <see cref="Capture(Func{Tensor})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A tape is active, the step returned no tensor, or it does something a replay cannot repeat.</exception>
    public static KernelGraph Capture(Func<IReadOnlyList<Tensor>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (Tape.Current is not null)
        {
            throw new InvalidOperationException("KernelGraph.Capture: a tape is active on this thread; capture outside any tape (the graph records the step on its own tape).");
        }

        var capture = KernelCapture.Begin();
        try
        {
            Tensor[] outputs;
            using (Tape.Begin())
            {
                outputs = [.. step() ?? []];
                if (outputs.Length == 0 || outputs.Any(o => o is null))
                {
                    throw new InvalidOperationException("KernelGraph.Capture: the step returned no tensor, or a null one; return the tensors to read after each replay (the loss).");
                }

                foreach (var output in outputs)
                {
                    _ = output.Buffer;
                    output.Disown();
                }
            }

            foreach (var output in outputs)
            {
                output.DropGradFn();
            }

            capture.End();
            return new KernelGraph(capture, outputs);
        }
        catch
        {
            capture.End();
            foreach (var (backend, buffer) in capture.Releases)
            {
                backend.Release(buffer);
            }

            throw;
        }
    }

    /// <summary>
    /// Runs the captured kernels again: the step on the current values of its inputs and
    /// parameters. Gradients reach the parameters as in the captured step.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The graph, or a tensor it reads, was disposed.</exception>
    public void Replay()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Execution.Refuse("KernelGraph.Replay", "replay the graph outside the capture of another one");
        foreach (var input in inputs)
        {
            if (input.IsDisposed)
            {
                throw new ObjectDisposedException(nameof(KernelGraph), $"KernelGraph.Replay: the {input.Shape} tensor from {input.Origin} on {input.Device}, which the captured step uses, was disposed; keep parameters and inputs alive while the graph is.");
            }
        }

        foreach (var slot in leafSlots)
        {
            if (ReferenceEquals(slot.Leaf.Grad, slot.Slot))
            {
                slot.Leaf.Grad = slot.Slot.Clone();
            }
        }

        foreach (var command in commands)
        {
            command();
        }
    }

    /// <summary>
    /// Returns the graph's storage to the pool. A parameter's gradient that is a graph tensor stays
    /// with the parameter (and becomes the caller's); the <see cref="Outputs"/> are released.
    /// </summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        var handedOver = leafSlots.Where(s => ReferenceEquals(s.Leaf.Grad, s.Slot)).Select(s => s.Slot).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var t in kept)
        {
            t.Pinned = false;
            if (!handedOver.Contains(t))
            {
                t.Release("when its KernelGraph was disposed");
            }
        }

        foreach (var (backend, buffer) in releases)
        {
            backend.Release(buffer);
        }
    }
}
