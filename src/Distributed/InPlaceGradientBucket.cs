using System.Numerics;

namespace TensorGrad.Distributed;

/// <summary>
/// A bucket for gradients in host memory (the CPU backend): each gradient's own array (already
/// divided by the number of ranks) is summed over the ranks in place, one MPI call per
/// parameter, with no copy.
/// </summary>
internal sealed class InPlaceGradientBucket<T> : GradientBucket
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<AllReduceRequest> requests = [];

    public InPlaceGradientBucket(IReadOnlyList<Tensor> parameters)
        : base(parameters)
    {
    }

    public override void Start(ProcessGroup group, bool overlap)
    {
        foreach (var p in Parameters)
        {
            var values = Values(p);
            if (overlap)
            {
                requests.Add(group.AllReduceAsync(values.AsMemory()));
            }
            else
            {
                group.AllReduce(values.AsSpan());
            }
        }
    }

    public override void Poll()
    {
        foreach (var request in requests)
        {
            _ = request.IsCompleted;
        }
    }

    protected override void Take(int slot)
    {
    }

    protected override void Complete()
    {
        requests.ForEach(r => r.Wait());
        requests.Clear();
    }

    private static T[] Values(Tensor parameter) =>
        parameter.Grad!.Buffer.HostArray as T[]
            ?? throw new InvalidOperationException($"DistributedDataParallel: the gradient of the {parameter.Shape} parameter on {parameter.Device} is not in host memory; it was expected on the CPU backend.");
}
