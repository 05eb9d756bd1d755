using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Distributed;

/// <summary>
/// A bucket for gradients in host memory (the CPU backend): each gradient's own array is divided
/// by the number of ranks as soon as it is final and summed over the ranks in place, one MPI call
/// per parameter, with no copy.
/// </summary>
internal sealed class InPlaceGradientBucket<T> : GradientBucket
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<AllReduceRequest> requests = [];
    private readonly T scale;

    public InPlaceGradientBucket(IReadOnlyList<Tensor> parameters, int ranks)
        : base(parameters)
    {
        scale = T.One / T.CreateChecked(ranks);
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
        var values = Values(Parameters[slot]);
        TensorPrimitives.Multiply(values, scale, values);
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
