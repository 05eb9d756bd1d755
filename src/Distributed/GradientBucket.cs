using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Distributed;

/// <summary>
/// Gradients of consecutive parameters (in backward order) that are averaged over the ranks by
/// one allreduce, through a pinned host array: each gradient is copied in as soon as it is final,
/// the allreduce starts when the last one is in, and the averages are copied back at the end.
/// </summary>
internal abstract class GradientBucket
{
    /// <summary>The parameters, in the order their gradients become final.</summary>
    public abstract IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Bytes of the host array.</summary>
    public abstract long Bytes { get; }

    /// <summary>True when every parameter's gradient is in the host array.</summary>
    public abstract bool IsFull { get; }

    /// <summary>Copies the final gradient of parameter <paramref name="slot"/> into the host array.</summary>
    public abstract void Add(int slot);

    /// <summary>Copies in the gradients not added in this pass (zeros for a parameter without one, as PyTorch's unused parameters).</summary>
    public abstract void AddMissing();

    /// <summary>Divides by the number of ranks and starts the allreduce.</summary>
    public abstract void Start(ProcessGroup group);

    /// <summary>Drives the transfer forward without blocking.</summary>
    public abstract void Poll();

    /// <summary>Waits for the allreduce, copies the averages into the gradients and resets for the next pass.</summary>
    public abstract void Finish();

    /// <summary>A bucket of <paramref name="parameters"/> (all float32 or all float64).</summary>
    public static GradientBucket Create(IReadOnlyList<Tensor> parameters) => parameters[0].DType == DType.Float32
        ? new GradientBucket<float>(parameters)
        : new GradientBucket<double>(parameters);
}

/// <summary>A bucket of <typeparamref name="T"/> gradients.</summary>
internal sealed class GradientBucket<T> : GradientBucket
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor[] parameters;
    private readonly int[] offsets;
    private readonly bool[] added;
    private readonly T[] host;
    private int count;
    private AllReduceRequest? request;

    public GradientBucket(IReadOnlyList<Tensor> parameters)
    {
        this.parameters = [.. parameters];
        offsets = new int[parameters.Count + 1];
        for (int i = 0; i < parameters.Count; i++)
        {
            offsets[i + 1] = checked(offsets[i] + (int)parameters[i].Size);
        }

        added = new bool[parameters.Count];
        host = GC.AllocateUninitializedArray<T>(offsets[^1], pinned: true);
    }

    public override IReadOnlyList<Tensor> Parameters => parameters;

    public override long Bytes => (long)host.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    public override bool IsFull => count == parameters.Length;

    public override void Add(int slot)
    {
        if (added[slot])
        {
            return;
        }

        HostStaging.Download(parameters[slot].Grad!, Slice(slot));
        added[slot] = true;
        count++;
    }

    public override void AddMissing()
    {
        for (int slot = 0; slot < parameters.Length; slot++)
        {
            if (added[slot])
            {
                continue;
            }

            if (parameters[slot].Grad is null)
            {
                Slice(slot).Clear();
                added[slot] = true;
                count++;
            }
            else
            {
                Add(slot);
            }
        }
    }

    public override void Start(ProcessGroup group)
    {
        TensorPrimitives.Multiply(host, T.One / T.CreateChecked(group.Size), host);
        request = group.AllReduceAsync(host.AsMemory());
    }

    public override void Poll() => _ = request?.IsCompleted;

    public override void Finish()
    {
        request!.Wait();
        request = null;
        for (int slot = 0; slot < parameters.Length; slot++)
        {
            var p = parameters[slot];
            p.Grad ??= Tensor.Zeros(p.Shape, p.Device, p.DType);
            HostStaging.Upload<T>(Slice(slot), p.Grad);
        }

        Array.Clear(added);
        count = 0;
    }

    private Span<T> Slice(int slot) => host.AsSpan(offsets[slot], offsets[slot + 1] - offsets[slot]);
}
