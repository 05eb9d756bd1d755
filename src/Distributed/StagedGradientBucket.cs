using System.Numerics;

namespace TensorGrad.Distributed;

/// <summary>
/// A bucket for gradients in device memory (the GPU backend): each (already divided by the number
/// of ranks) is copied into one pinned host array as soon as it is final, the array is summed
/// over the ranks by one allreduce, and the averages are copied back.
/// </summary>
internal sealed class StagedGradientBucket<T> : GradientBucket
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] offsets;
    private readonly T[] host;
    private AllReduceRequest? request;

    public StagedGradientBucket(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
        offsets = new int[parameters.Count + 1];
        for (int i = 0; i < parameters.Count; i++)
        {
            offsets[i + 1] = checked(offsets[i] + (int)parameters[i].Size);
        }

        host = GC.AllocateUninitializedArray<T>(offsets[^1], pinned: true);
    }

    public override void Start(ProcessGroup group, bool overlap)
    {
        if (overlap)
        {
            request = group.AllReduceAsync(host.AsMemory());
        }
        else
        {
            group.AllReduce(host.AsSpan());
        }
    }

    public override void Poll() => _ = request?.IsCompleted;

    protected override void Take(int slot) => HostStaging.Download(Parameters[slot].Grad!, Slice(slot));

    protected override void Complete()
    {
        request?.Wait();
        request = null;
        for (int slot = 0; slot < Parameters.Count; slot++)
        {
            HostStaging.Upload<T>(Slice(slot), Parameters[slot].Grad!);
        }
    }

    private Span<T> Slice(int slot) => host.AsSpan(offsets[slot], offsets[slot + 1] - offsets[slot]);
}
