namespace TensorGrad.Data;

/// <summary>
/// Samples and targets held in host memory, each sample a contiguous run of float32 values:
/// features [count, ...<see cref="SampleShape"/>] and targets [count, ...<see cref="TargetShape"/>]
/// (class ids are targets of shape [], one value per sample).
/// </summary>
public sealed class InMemoryDataset
{
    private readonly float[] features;
    private readonly float[] targets;

    /// <summary>Wraps <paramref name="features"/> and <paramref name="targets"/> (not copied).</summary>
    /// <param name="features">count × SampleShape.Size values, sample after sample.</param>
    /// <param name="sampleShape">The shape of one sample (e.g. [784] for a flattened MNIST digit).</param>
    /// <param name="targets">count × TargetShape.Size values.</param>
    /// <param name="targetShape">The shape of one target; default [] (a class id or a scalar).</param>
    public InMemoryDataset(float[] features, Shape sampleShape, float[] targets, Shape? targetShape = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        var target = targetShape ?? Shape.Scalar;
        if (sampleShape.Size == 0 || features.Length % sampleShape.Size != 0 || target.Size == 0
            || targets.Length != features.Length / sampleShape.Size * target.Size)
        {
            throw new ArgumentException($"InMemoryDataset: {features.Length} feature values of samples {sampleShape} and {targets.Length} target values of shape {target} do not describe the same number of samples.");
        }

        this.features = features;
        this.targets = targets;
        SampleShape = sampleShape;
        TargetShape = target;
        Count = (int)(features.Length / sampleShape.Size);
    }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>The shape of one sample.</summary>
    public Shape SampleShape { get; }

    /// <summary>The shape of one target.</summary>
    public Shape TargetShape { get; }

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => features.AsSpan(index * (int)SampleShape.Size, (int)SampleShape.Size);

    /// <summary>The values of target <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Target(int index) => targets.AsSpan(index * (int)TargetShape.Size, (int)TargetShape.Size);

    /// <summary>Samples [start, start + count) as a new dataset sharing nothing with this one.</summary>
    public InMemoryDataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count, nameof(count));
        int s = (int)SampleShape.Size, t = (int)TargetShape.Size;
        return new InMemoryDataset(features[(start * s)..((start + count) * s)], SampleShape, targets[(start * t)..((start + count) * t)], TargetShape);
    }

    /// <summary>The whole dataset as two new tensors on <paramref name="device"/>: features [count, ...] and targets [count, ...], owned by the caller.</summary>
    public (Tensor Features, Tensor Targets) ToTensors(Device? device = null)
    {
        var on = device ?? Device.Cpu;
        return (Tensor.FromArray(features, BatchShape(SampleShape, Count), on), Tensor.FromArray(targets, BatchShape(TargetShape, Count), on));
    }

    /// <summary>[count, ...item] for a batch of <paramref name="count"/> items of shape <paramref name="item"/>.</summary>
    internal static Shape BatchShape(Shape item, int count) => new([count, .. item]);
}
