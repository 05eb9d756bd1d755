namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// Maps a flat output index to the offsets of two broadcast inputs. Built on the host from the
/// shapes: size-1 dimensions are dropped and neighbours that step alike are merged, so any
/// broadcast of up to <see cref="MaxRank"/> distinct stride patterns fits in four dimensions.
/// </summary>
internal readonly struct BroadcastLayout
{
    /// <summary>The most dimensions left after merging.</summary>
    public const int MaxRank = 4;

    private readonly int d1, d2, d3;
    private readonly int a0, a1, a2, a3;
    private readonly int b0, b1, b2, b3;

    private BroadcastLayout(int[] sizes, int[] aStrides, int[] bStrides)
    {
        (d1, d2, d3) = (sizes[1], sizes[2], sizes[3]);
        (a0, a1, a2, a3) = (aStrides[0], aStrides[1], aStrides[2], aStrides[3]);
        (b0, b1, b2, b3) = (bStrides[0], bStrides[1], bStrides[2], bStrides[3]);
    }

    /// <summary>Offset into the first input of output element <paramref name="i"/>.</summary>
    public int OffsetA(int i) => Offset(i, a0, a1, a2, a3);

    /// <summary>Offset into the second input of output element <paramref name="i"/>.</summary>
    public int OffsetB(int i) => Offset(i, b0, b1, b2, b3);

    /// <summary>Splits <paramref name="i"/> into its four merged coordinates and weighs them by the strides.</summary>
    private int Offset(int i, int s0, int s1, int s2, int s3)
    {
        int i3 = i % d3;
        int rest = i / d3;
        int i2 = rest % d2;
        rest /= d2;
        return ((rest / d1) * s0) + ((rest % d1) * s1) + (i2 * s2) + (i3 * s3);
    }

    /// <summary>
    /// The layout of <paramref name="yShape"/> reading <paramref name="aShape"/> and
    /// <paramref name="bShape"/> (each a broadcast source of it), or null when more than
    /// <see cref="MaxRank"/> dimensions remain after merging.
    /// </summary>
    public static BroadcastLayout? TryCreate(Shape aShape, Shape bShape, Shape yShape)
    {
        var sizes = new List<int>();
        var aStrides = new List<int>();
        var bStrides = new List<int>();
        int[] sa = Strides(aShape, yShape.Rank), sb = Strides(bShape, yShape.Rank);
        for (int d = 0; d < yShape.Rank; d++)
        {
            int size = yShape[d];
            if (size == 1)
            {
                continue;
            }

            int last = sizes.Count - 1;
            if (last >= 0 && aStrides[last] == sa[d] * size && bStrides[last] == sb[d] * size)
            {
                sizes[last] *= size;
                aStrides[last] = sa[d];
                bStrides[last] = sb[d];
                continue;
            }

            sizes.Add(size);
            aStrides.Add(sa[d]);
            bStrides.Add(sb[d]);
        }

        if (sizes.Count > MaxRank)
        {
            return null;
        }

        while (sizes.Count < MaxRank)
        {
            sizes.Insert(0, 1);
            aStrides.Insert(0, 0);
            bStrides.Insert(0, 0);
        }

        return new BroadcastLayout([.. sizes], [.. aStrides], [.. bStrides]);
    }

    /// <summary>Row-major strides of <paramref name="shape"/> aligned right to <paramref name="rank"/> dimensions; 0 where it broadcasts.</summary>
    private static int[] Strides(Shape shape, int rank)
    {
        var strides = new int[rank];
        int stride = 1;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            int target = d + rank - shape.Rank;
            strides[target] = shape[d] == 1 ? 0 : stride;
            stride *= shape[d];
        }

        return strides;
    }
}
