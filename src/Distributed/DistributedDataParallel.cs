using System.Text;
using TensorGrad.Autograd;
using TensorGrad.Nn;

namespace TensorGrad.Distributed;

/// <summary>
/// Data-parallel training (PyTorch's <c>DistributedDataParallel</c>): every rank holds a replica of
/// <see cref="Module"/>, trains it on its own part of each batch, and after <c>Backward()</c> every
/// parameter's gradient is the average over the ranks, so any optimizer, clipping and schedule
/// step the replicas identically.
/// </summary>
/// <remarks>
/// <para>
/// At construction every rank checks that it holds the same architecture as rank 0 (names,
/// shapes and dtypes of parameters and buffers; a mismatch throws on every rank), and rank 0's
/// parameters and buffers are copied to the others. In training mode each forward pass copies
/// rank 0's buffers (e.g. BatchNorm's running statistics) to the others first, as PyTorch does.
/// </para>
/// <para>
/// Gradients are averaged in buckets of about <c>bucketCapMegabytes</c>, filled in reverse
/// registration order (the order the backward pass finishes them): a bucket's allreduce starts, non-blocking,
/// as soon as its last gradient is final, while the backward pass goes on with the earlier layers,
/// and the pass ends when every bucket has been averaged (the last bucket, with nothing left to
/// overlap, by a blocking allreduce). Buckets start in the same order on
/// every rank. A parameter that got no gradient in a pass contributes zeros (PyTorch's
/// <c>find_unused_parameters</c>). The backward pass itself divides each parameter's gradient by
/// the number of ranks (Linear's weight-gradient product as its GEMM's alpha, other ops as they
/// accumulate), so summing over the ranks gives the average with no pass of its own; inside
/// <see cref="NoSync"/> the gradients are therefore the local ones divided by the number of
/// ranks (PyTorch's hold the undivided local ones). On the CPU backend MPI reads and writes the
/// gradients' own memory; on the GPU backend they go through one pinned host array per bucket.
/// </para>
/// <para>
/// The state dictionary has the <c>module.</c> prefix, as PyTorch's; save <see cref="Module"/>'s
/// to get the plain names. A <see cref="KernelGraph"/> cannot capture the averaging nor the
/// buffer copies (they call MPI on the host): capture the step inside <see cref="NoSync"/> and call
/// <see cref="SyncGradients"/> after each replay (buffers then stay each rank's own).
/// </para>
/// </remarks>
public sealed class DistributedDataParallel : Module, IDisposable
{
    /// <summary>PyTorch's default bucket size.</summary>
    public const double DefaultBucketCapMegabytes = 25;

    private readonly GradientBucket[] buckets = [];
    private readonly List<IDisposable> hooks = [];
    private readonly IReadOnlyList<Tensor> buffers;
    private readonly bool broadcastBuffers;
    private int noSyncDepth;
    private bool passActive;
    private int nextToStart;

    /// <summary>Wraps <paramref name="module"/> for data-parallel training over <paramref name="group"/>.</summary>
    /// <param name="module">The replica on this rank.</param>
    /// <param name="group">The job's ranks (default: <see cref="ProcessGroup.Init"/>).</param>
    /// <param name="bucketCapMegabytes">Target size of a gradient bucket in MB (10⁶ bytes), &gt; 0.</param>
    /// <param name="broadcastBuffers">Copy rank 0's buffers to every rank before each training forward pass.</param>
    public DistributedDataParallel(Module module, ProcessGroup? group = null, double bucketCapMegabytes = DefaultBucketCapMegabytes, bool broadcastBuffers = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!(bucketCapMegabytes > 0) || !double.IsFinite(bucketCapMegabytes))
        {
            throw new ArgumentOutOfRangeException(nameof(bucketCapMegabytes), bucketCapMegabytes, "DistributedDataParallel: the bucket size must be a finite number of MB > 0.");
        }

        if (module.Parameters().FirstOrDefault(p => p.InBackwardStep is not null) is { } stepped)
        {
            throw new InvalidOperationException($"DistributedDataParallel: the {stepped.Shape} parameter is updated by an optimizer stepping in the backward pass (StepInBackward), which would step before the ranks' gradients are averaged; dispose that handle and call opt.Step() after Backward().");
        }

        Group = group ?? ProcessGroup.Init();
        Module = RegisterModule("module", module);
        this.broadcastBuffers = broadcastBuffers;
        BucketCapBytes = (long)(bucketCapMegabytes * 1e6);
        buffers = module.Buffers();
        CheckSameArchitecture();
        foreach (var (_, t) in module.StateDict())
        {
            Group.Broadcast(t);
        }

        if (Group.Size == 1)
        {
            return;
        }

        buckets = [.. Bucket(module.Parameters(), BucketCapBytes).Select(GradientBucket.Create)];
        for (int b = 0; b < buckets.Length; b++)
        {
            for (int slot = 0; slot < buckets[b].Parameters.Count; slot++)
            {
                int bucket = b, index = slot;
                var parameter = buckets[b].Parameters[slot];
                parameter.GradientScale = 1.0 / Group.Size;
                hooks.Add(parameter.RegisterPostAccumulateGradHook(_ => OnGradientFinal(bucket, index)));
            }
        }
    }

    /// <summary>The wrapped replica.</summary>
    public Module Module { get; }

    /// <summary>The ranks the gradients are averaged over.</summary>
    public ProcessGroup Group { get; }

    /// <summary>Target bytes per gradient bucket.</summary>
    public long BucketCapBytes { get; }

    /// <summary>Parameters per bucket, in the order the buckets are averaged (empty for a single process).</summary>
    public IReadOnlyList<IReadOnlyList<Tensor>> Buckets => [.. buckets.Select(b => b.Parameters)];

    /// <summary>
    /// Suspends the averaging until the handle is disposed: backward passes inside only accumulate
    /// local gradients, divided by the number of ranks (gradient accumulation); the first backward
    /// pass after it sums them over the ranks, which gives the average.
    /// </summary>
    public IDisposable NoSync()
    {
        noSyncDepth++;
        return new Resume(this);
    }

    /// <summary>
    /// Averages every parameter's gradient over the ranks now, blocking (for steps replayed from a
    /// <see cref="KernelGraph"/> captured inside <see cref="NoSync"/>). Every rank must call it.
    /// </summary>
    public void SyncGradients()
    {
        if (passActive)
        {
            throw new InvalidOperationException("DistributedDataParallel.SyncGradients: a backward pass is averaging the gradients; call it after Backward() returns.");
        }

        nextToStart = 0;
        FinishPass();
    }

    /// <summary>Removes the gradient hooks and scales; the wrapped module trains alone afterwards.</summary>
    public void Dispose()
    {
        hooks.ForEach(h => h.Dispose());
        hooks.Clear();
        foreach (var bucket in buckets)
        {
            foreach (var p in bucket.Parameters)
            {
                p.GradientScale = 1;
            }
        }
    }

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input)
    {
        if (IsTraining && broadcastBuffers && Group.Size > 1 && Execution.Scope is null)
        {
            foreach (var buffer in buffers)
            {
                Group.Broadcast(buffer);
            }
        }

        return Module.Forward(input);
    }

    /// <inheritdoc/>
    protected override string Describe() => $"{Group}, {buckets.Length} bucket{(buckets.Length == 1 ? "" : "s")}";

    /// <summary>Splits <paramref name="parameters"/>, reversed, into runs of one dtype of at most <paramref name="capBytes"/> (a larger parameter gets its own bucket).</summary>
    internal static List<List<Tensor>> Bucket(IReadOnlyList<Tensor> parameters, long capBytes)
    {
        var result = new List<List<Tensor>>();
        long bytes = 0;
        foreach (var p in parameters.Reverse().Where(p => p.RequiresGrad))
        {
            long size = p.Size * (p.DType == DType.Float32 ? 4 : 8);
            if (result.Count == 0 || result[^1][0].DType != p.DType || bytes + size > capBytes)
            {
                result.Add([]);
                bytes = 0;
            }

            result[^1].Add(p);
            bytes += size;
        }

        return result;
    }

    private void OnGradientFinal(int bucket, int slot)
    {
        if (noSyncDepth > 0)
        {
            return;
        }

        if (Execution.Scope is not null)
        {
            throw new InvalidOperationException("DistributedDataParallel: a KernelGraph cannot capture the gradient averaging (it reads gradients on the host and calls MPI); capture the step inside NoSync() and call SyncGradients() after each Replay().");
        }

        if (!passActive)
        {
            passActive = true;
            nextToStart = 0;
            GradientHooks.QueueCallback(FinishPass);
        }

        buckets[bucket].Add(slot);

        // The last bucket waits for the end of the pass: nothing is left to overlap it with.
        for (; nextToStart < buckets.Length - 1 && buckets[nextToStart].IsFull; nextToStart++)
        {
            buckets[nextToStart].Start(Group, overlap: true);
        }

        for (int b = 0; b < nextToStart; b++)
        {
            buckets[b].Poll();
        }
    }

    /// <summary>Starts the buckets not started yet (in order), then waits for all and copies the averages back.</summary>
    private void FinishPass()
    {
        try
        {
            for (; nextToStart < buckets.Length; nextToStart++)
            {
                buckets[nextToStart].AddMissing();
                buckets[nextToStart].Start(Group, overlap: false);
            }

            foreach (var bucket in buckets)
            {
                bucket.Finish();
            }
        }
        finally
        {
            passActive = false;
        }
    }

    /// <summary>Checks that every rank holds rank 0's parameter and buffer names, shapes and dtypes; throws on every rank if not.</summary>
    private void CheckSameArchitecture()
    {
        var mine = Signature(Module);
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', mine));
        Span<int> length = [bytes.Length];
        Group.Broadcast(length);
        var rootBytes = new byte[length[0]];
        if (Group.IsMain)
        {
            bytes.CopyTo(rootBytes, 0);
        }

        Group.Broadcast(rootBytes.AsSpan());
        var root = Encoding.UTF8.GetString(rootBytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var differs = new int[Group.Size];
        string? difference = FirstDifference(root, mine);
        differs[Group.Rank] = difference is null ? 0 : 1;
        Group.AllReduce(differs.AsSpan());
        var ranks = Enumerable.Range(0, Group.Size).Where(r => differs[r] != 0).ToList();
        if (ranks.Count > 0)
        {
            string detail = difference is null ? "see their messages" : $"here {difference}";
            throw new InvalidOperationException($"DistributedDataParallel on rank {Group.Rank} of {Group.Size}: the model on rank{(ranks.Count == 1 ? "" : "s")} {string.Join(", ", ranks)} differs from rank 0's ({detail}). Every rank must build the same architecture.");
        }
    }

    private static List<string> Signature(Module module) =>
        [.. module.NamedParameters().Select(p => $"parameter '{p.Name}' {p.Parameter.Shape} {p.Parameter.DType}"),
         .. module.NamedBuffers().Select(b => $"buffer '{b.Name}' {b.Buffer.Shape} {b.Buffer.DType}")];

    private static string? FirstDifference(string[] root, List<string> mine)
    {
        for (int i = 0; i < Math.Max(root.Length, mine.Count); i++)
        {
            string? theirs = i < root.Length ? root[i] : null, own = i < mine.Count ? mine[i] : null;
            if (theirs != own)
            {
                return $"entry {i} is {own ?? "missing"}, rank 0 has {theirs ?? "nothing"}";
            }
        }

        return null;
    }

    private sealed class Resume(DistributedDataParallel owner) : IDisposable
    {
        private DistributedDataParallel? owner = owner;

        public void Dispose()
        {
            if (owner is not null)
            {
                owner.noSyncDepth--;
                owner = null;
            }
        }
    }
}
