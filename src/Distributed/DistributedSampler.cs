using TensorGrad.Data;

namespace TensorGrad.Distributed;

/// <summary>
/// Gives each rank a disjoint shard of the same per-epoch order of a dataset (PyTorch's
/// <c>DistributedSampler</c>): every rank shuffles with the same seed and epoch, then takes every
/// <c>size</c>-th index from its rank on. When the dataset does not divide evenly, the order is
/// padded with its first indices so every rank gets the same number of samples, or with
/// <c>dropLast</c> its tail is dropped. Pass it to <see cref="DataLoader"/> as the sampler; the
/// loader's <see cref="DataLoader.Epoch"/> is the epoch (no <c>set_epoch</c> call is needed).
/// </summary>
public sealed class DistributedSampler : Sampler
{
    private readonly int[] permutation;

    /// <summary>Creates the sampler for rank <paramref name="rank"/> of <paramref name="size"/>.</summary>
    /// <param name="datasetCount">Samples in the dataset.</param>
    /// <param name="rank">This process's rank.</param>
    /// <param name="size">Number of ranks.</param>
    /// <param name="shuffle">A new order each epoch (the same on every rank); false visits the dataset in order.</param>
    /// <param name="seed">Seed of the shuffle, the same on every rank.</param>
    /// <param name="dropLast">Drop the tail that does not divide evenly instead of padding it.</param>
    public DistributedSampler(int datasetCount, int rank, int size, bool shuffle = true, int seed = 0, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(datasetCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if ((uint)rank >= (uint)size)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DistributedSampler: the rank must be in [0, {size}).");
        }

        (DatasetCount, Rank, Size, Shuffle, Seed, DropLast) = (datasetCount, rank, size, shuffle, seed, dropLast);
        Count = dropLast ? datasetCount / size : (int)(((long)datasetCount + size - 1) / size);
        if (Count == 0)
        {
            throw new ArgumentException($"DistributedSampler: {datasetCount} samples leave rank {rank} of {size} nothing{(dropLast ? " with dropLast" : "")}.", nameof(datasetCount));
        }

        permutation = new int[datasetCount];
    }

    /// <summary>Creates the sampler for this process's rank in <paramref name="group"/>.</summary>
    public DistributedSampler(int datasetCount, ProcessGroup group, bool shuffle = true, int seed = 0, bool dropLast = false)
        : this(datasetCount, (group ?? throw new ArgumentNullException(nameof(group))).Rank, group.Size, shuffle, seed, dropLast)
    {
    }

    /// <summary>Samples in the dataset.</summary>
    public int DatasetCount { get; }

    /// <summary>This sampler's rank.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks.</summary>
    public int Size { get; }

    /// <summary>Whether each epoch has a new order.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffle.</summary>
    public int Seed { get; }

    /// <summary>Whether the uneven tail is dropped (else padded).</summary>
    public bool DropLast { get; }

    /// <summary>Samples per rank and epoch: ⌈count / size⌉, or ⌊count / size⌋ with <see cref="DropLast"/>.</summary>
    public override int Count { get; }

    /// <inheritdoc/>
    public override void Fill(int epoch, Span<int> indices)
    {
        if (indices.Length != Count)
        {
            throw new ArgumentException($"DistributedSampler: {indices.Length} slots for {Count} indices.", nameof(indices));
        }

        Order(permutation, Shuffle, Seed, epoch);

        // Position Rank + k·Size of the padded (or truncated) order; padding repeats the order from its start.
        for (int k = 0; k < Count; k++)
        {
            long position = Rank + ((long)k * Size);
            indices[k] = permutation[(int)(position % DatasetCount)];
        }
    }
}
