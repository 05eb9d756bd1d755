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

    private BroadcastLayout(ReadOnlySpan<int> sizes, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
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
    /// <see cref="MaxRank"/> dimensions remain after merging. Walks the dimensions from the
    /// innermost out on the stack, so a launch allocates nothing.
    /// </summary>
    public static BroadcastLayout? TryCreate(Shape aShape, Shape bShape, Shape yShape)
    {
        // Merged dimensions, innermost first; unused ones have size 1 and stride 0.
        Span<int> sizes = [1, 1, 1, 1];
        Span<int> aStrides = [0, 0, 0, 0];
        Span<int> bStrides = [0, 0, 0, 0];
        int count = 0, aStride = 1, bStride = 1;
        for (int d = yShape.Rank - 1; d >= 0; d--)
        {
            int sa = Stride(aShape, d - yShape.Rank + aShape.Rank, ref aStride);
            int sb = Stride(bShape, d - yShape.Rank + bShape.Rank, ref bStride);
            int size = yShape[d];
            if (size == 1)
            {
                continue;
            }

            int last = count - 1;
            if (last >= 0 && sa == aStrides[last] * sizes[last] && sb == bStrides[last] * sizes[last])
            {
                sizes[last] *= size;
                continue;
            }

            if (count == MaxRank)
            {
                return null;
            }

            (sizes[count], aStrides[count], bStrides[count]) = (size, sa, sb);
            count++;
        }

        sizes.Reverse();
        aStrides.Reverse();
        bStrides.Reverse();
        return new BroadcastLayout(sizes, aStrides, bStrides);
    }

    /// <summary>
    /// The row-major stride of dimension <paramref name="d"/> of <paramref name="shape"/> (0 where
    /// it broadcasts or where the shape has no such leading dimension); <paramref name="running"/>
    /// carries the product of the sizes inside it.
    /// </summary>
    private static int Stride(Shape shape, int d, ref int running)
    {
        if (d < 0 || shape[d] == 1)
        {
            return 0;
        }

        int stride = running;
        running *= shape[d];
        return stride;
    }
}
