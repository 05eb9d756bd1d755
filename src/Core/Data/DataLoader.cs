using System.Collections;

namespace TensorGrad.Data;

/// <summary>
/// Iterates over an <see cref="InMemoryDataset"/> in batches on a device:
/// <c>foreach (var (x, y) in loader)</c>. With shuffling, each epoch has a new order that depends
/// only on the seed and the epoch number, so runs (and resumed runs, see <see cref="Epoch"/>) are
/// reproducible. Batch storage is allocated once and reused: a batch is valid until the next one.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>, IDisposable
{
    private readonly InMemoryDataset dataset;
    private readonly Sampler? sampler;
    private readonly int[] order;
    private readonly float[][] features = new float[2][];
    private readonly float[][] targets = new float[2][];
    private readonly BatchPrefetcher? prefetcher;
    private Batch full;
    private Batch? partial;
    private bool enumerating;
    private bool disposed;

    /// <summary>Creates the loader.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch, &gt; 0.</param>
    /// <param name="shuffle">Visit the samples in a new random order each epoch.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="dropLast">Skip the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="device">Where the batch tensors live (default: the CPU).</param>
    /// <param name="prefetch">Gather the next batch on a background thread while the current one trains.</param>
    /// <param name="sampler">
    /// Which samples each epoch visits and in what order, instead of all of them (shuffled or not);
    /// e.g. a distributed sampler's shard. It excludes <paramref name="shuffle"/>, as in PyTorch.
    /// </param>
    public DataLoader(InMemoryDataset dataset, int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false, Device? device = null, bool prefetch = false, Sampler? sampler = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: the batch size must be > 0.");
        }

        if (sampler is not null && shuffle)
        {
            throw new ArgumentException("DataLoader: shuffle and sampler exclude each other; the sampler decides the order (shuffle it there).", nameof(shuffle));
        }

        this.dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Device = device ?? Device.Cpu;
        this.sampler = sampler;
        order = new int[sampler?.Count ?? dataset.Count];
        BatchCount = dropLast ? order.Length / batchSize : (order.Length + batchSize - 1) / batchSize;
        int rows = Math.Min(batchSize, order.Length);
        for (int s = 0; s < (prefetch ? 2 : 1); s++)
        {
            features[s] = new float[rows * dataset.SampleShape.Size];
            targets[s] = new float[rows * dataset.TargetShape.Size];
        }

        full = MakeBatch(rows);
        prefetcher = prefetch ? new BatchPrefetcher(Gather) : null;
    }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>Whether each epoch has a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffle.</summary>
    public int Seed { get; }

    /// <summary>Whether a last, smaller batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Where the batches live.</summary>
    public Device Device { get; }

    /// <summary>
    /// The epoch the next enumeration produces (0 at first); each enumeration advances it. Set it
    /// to k when resuming after k epochs to get the order an uninterrupted run would have.
    /// </summary>
    public int Epoch { get; set; }

    /// <summary>Starts an epoch. Only one enumeration may be active at a time.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (enumerating)
        {
            throw new InvalidOperationException("DataLoader: an epoch is already being enumerated; finish or dispose it before starting another (batches share storage).");
        }

        enumerating = true;
        Arrange(Epoch++);
        return new Enumerator(this);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stops the prefetch thread and releases the batch tensors.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        prefetcher?.Dispose();
        Release(full);
        if (partial is { } p)
        {
            Release(p);
        }
    }

    private static void Release(Batch batch)
    {
        batch.Features.Dispose();
        batch.Targets.Dispose();
    }

    private Batch MakeBatch(int rows) => new(
        Tensor.Zeros(InMemoryDataset.BatchShape(dataset.SampleShape, rows), Device),
        Tensor.Zeros(InMemoryDataset.BatchShape(dataset.TargetShape, rows), Device));

    private void Arrange(int epoch)
    {
        if (sampler is not null)
        {
            sampler.Fill(epoch, order);
            foreach (int index in order)
            {
                if ((uint)index >= (uint)dataset.Count)
                {
                    throw new InvalidOperationException($"DataLoader: the {sampler.GetType().Name} gave sample {index} in epoch {epoch}, but the dataset has {dataset.Count} samples.");
                }
            }
        }
        else
        {
            Sampler.Order(order, Shuffle, Seed, epoch);
        }
    }

    private int RowsOf(int batch) => Math.Min(BatchSize, order.Length - (batch * BatchSize));

    /// <summary>Copies the samples of <paramref name="batch"/> into host slot <paramref name="slot"/>.</summary>
    private void Gather(int slot, int batch)
    {
        int sampleSize = (int)dataset.SampleShape.Size, targetSize = (int)dataset.TargetShape.Size;
        for (int r = 0, n = RowsOf(batch); r < n; r++)
        {
            int index = order[(batch * BatchSize) + r];
            dataset.Sample(index).CopyTo(features[slot].AsSpan(r * sampleSize));
            dataset.Target(index).CopyTo(targets[slot].AsSpan(r * targetSize));
        }
    }

    /// <summary>Uploads host slot <paramref name="slot"/> holding <paramref name="batch"/> into the batch tensors.</summary>
    private Batch Upload(int slot, int batch)
    {
        int rows = RowsOf(batch);
        var tensors = rows == full.Features.Shape[0] ? full : (partial ??= MakeBatch(rows));
        tensors.Features.Backend.Upload(features[slot].AsSpan(0, (int)tensors.Features.Size), tensors.Features.Buffer);
        tensors.Targets.Backend.Upload(targets[slot].AsSpan(0, (int)tensors.Targets.Size), tensors.Targets.Buffer);
        return tensors;
    }

    private sealed class Enumerator(DataLoader loader) : IEnumerator<Batch>
    {
        private int next;

        public Batch Current { get; private set; }

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(loader.disposed, loader);
            if (next >= loader.BatchCount)
            {
                return false;
            }

            int slot = next % 2;
            if (loader.prefetcher is not { } prefetcher)
            {
                loader.Gather(0, next);
                Current = loader.Upload(0, next);
            }
            else
            {
                if (next == 0)
                {
                    prefetcher.Begin(0, 0);
                }

                prefetcher.Wait();
                Current = loader.Upload(slot, next);
                if (next + 1 < loader.BatchCount)
                {
                    prefetcher.Begin(1 - slot, next + 1);
                }
            }

            next++;
            return true;
        }

        public void Reset() => throw new NotSupportedException("DataLoader: start a new epoch with a new foreach instead.");

        public void Dispose()
        {
            if (!loader.disposed)
            {
                loader.prefetcher?.Wait(rethrow: false);
            }

            loader.enumerating = false;
        }
    }
}
