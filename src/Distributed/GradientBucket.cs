namespace TensorGrad.Distributed;

/// <summary>
/// Gradients of consecutive parameters (in backward order) that are averaged over the ranks
/// together: the bucket fills as the backward pass finishes each gradient, its allreduce starts
/// when the last one is in, and <see cref="Finish"/> leaves the averages in the gradients.
/// </summary>
internal abstract class GradientBucket
{
    private readonly bool[] added;
    private int count;

    protected GradientBucket(IReadOnlyList<Tensor> parameters)
    {
        Parameters = [.. parameters];
        added = new bool[parameters.Count];
    }

    /// <summary>The parameters, in the order their gradients become final.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>True when every parameter's gradient is in.</summary>
    public bool IsFull => count == Parameters.Count;

    /// <summary>
    /// A bucket of <paramref name="parameters"/> (all float32 or all float64): summed in place
    /// when they live in host memory (the CPU backend), else through a host copy.
    /// </summary>
    public static GradientBucket Create(IReadOnlyList<Tensor> parameters) => (parameters[0].DType, parameters.All(p => p.Device == Device.Cpu)) switch
    {
        (DType.Float32, true) => new InPlaceGradientBucket<float>(parameters),
        (DType.Float32, false) => new StagedGradientBucket<float>(parameters),
        (_, true) => new InPlaceGradientBucket<double>(parameters),
        _ => new StagedGradientBucket<double>(parameters),
    };

    /// <summary>Takes in the final gradient of parameter <paramref name="slot"/>.</summary>
    public void Add(int slot)
    {
        if (!added[slot])
        {
            Take(slot);
            added[slot] = true;
            count++;
        }
    }

    /// <summary>Takes in the gradients not added in this pass; a parameter without one gets zeros (as PyTorch's unused parameters).</summary>
    public void AddMissing()
    {
        for (int slot = 0; slot < Parameters.Count; slot++)
        {
            var p = Parameters[slot];
            p.Grad ??= Tensor.Zeros(p.Shape, p.Device, p.DType);
            Add(slot);
        }
    }

    /// <summary>
    /// Starts summing the gradients (already divided by the number of ranks) over the ranks: non-blocking when
    /// <paramref name="overlap"/> (work remains to overlap it with), else blocking, which MPI
    /// runs faster (Open MPI's blocking allreduce takes about half the time of its non-blocking one).
    /// </summary>
    public abstract void Start(ProcessGroup group, bool overlap);

    /// <summary>Drives the transfer forward without blocking.</summary>
    public abstract void Poll();

    /// <summary>Waits for the allreduce, leaves the averages in the gradients and resets for the next pass.</summary>
    public void Finish()
    {
        Complete();
        Array.Clear(added);
        count = 0;
    }

    /// <summary>Takes in the final gradient of parameter <paramref name="slot"/> (once per pass).</summary>
    protected abstract void Take(int slot);

    /// <summary>Waits for the allreduce and leaves the averages in the gradients.</summary>
    protected abstract void Complete();
}
