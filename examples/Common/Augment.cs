using TensorGrad.Data;

namespace TensorGrad.Examples.Common;

/// <summary>
/// Data augmentation for a small training set: shifted copies of every digit. A digit moved by a
/// pixel or two is the same digit, so the copies teach the network translation tolerance that
/// 8,000 samples alone do not.
/// </summary>
public static class Augment
{
    /// <summary>The largest shift, in pixels, along each axis.</summary>
    public const int MaxShift = 2;

    /// <summary>
    /// The samples of <paramref name="train"/> followed by <paramref name="copies"/> copies of each,
    /// every copy shifted by a random offset of up to <paramref name="maxShift"/> pixels along each
    /// axis (never the identity); uncovered pixels get the image's background value.
    /// </summary>
    public static InMemoryDataset WithShiftedCopies(InMemoryDataset train, int copies, int maxShift, int seed)
    {
        if (copies == 0)
        {
            return train;
        }

        const int side = 28;
        int pixels = side * side, count = train.Count, total = count * (copies + 1);
        var features = new float[total * pixels];
        var targets = new float[total];
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            train.Sample(i).CopyTo(features.AsSpan(i * pixels));
            targets[i] = train.Target(i)[0];
        }

        for (int c = 1; c <= copies; c++)
        {
            for (int i = 0; i < count; i++)
            {
                int dx, dy;
                do
                {
                    dx = random.Next(-maxShift, maxShift + 1);
                    dy = random.Next(-maxShift, maxShift + 1);
                }
                while (dx == 0 && dy == 0);

                var source = train.Sample(i);
                var target = features.AsSpan(((c * count) + i) * pixels, pixels);
                float background = source[0];
                for (int y = 0; y < side; y++)
                {
                    for (int x = 0; x < side; x++)
                    {
                        int sx = x - dx, sy = y - dy;
                        target[(y * side) + x] = sx is >= 0 and < side && sy is >= 0 and < side ? source[(sy * side) + sx] : background;
                    }
                }

                targets[(c * count) + i] = train.Target(i)[0];
            }
        }

        return new InMemoryDataset(features, train.SampleShape, targets);
    }
}
