namespace TensorGrad.Data;

/// <summary>
/// Which samples of a dataset a <see cref="DataLoader"/> visits in an epoch, and in what order
/// (PyTorch's <c>Sampler</c>): e.g. a distributed sampler that gives each process its own shard.
/// The order may depend only on the epoch number, so runs and resumed runs repeat.
/// </summary>
public abstract class Sampler
{
    /// <summary>Number of sample indices per epoch.</summary>
    public abstract int Count { get; }

    /// <summary>Writes the <see cref="Count"/> sample indices of <paramref name="epoch"/> into <paramref name="indices"/>.</summary>
    public abstract void Fill(int epoch, Span<int> indices);

    /// <summary>
    /// The indices 0 … n − 1 of <paramref name="order"/>'s length, in order, or with
    /// <paramref name="shuffle"/> shuffled by a generator seeded from <paramref name="seed"/> and
    /// <paramref name="epoch"/>: the order a <see cref="DataLoader"/> visits (so samplers built on it
    /// agree with it and with each other).
    /// </summary>
    public static void Order(Span<int> order, bool shuffle, int seed, int epoch)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (shuffle)
        {
            new Random(unchecked((seed * 1_000_003) + epoch)).Shuffle(order);
        }
    }
}
