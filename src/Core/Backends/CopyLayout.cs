namespace TensorGrad.Backends;

/// <summary>
/// A strided copy: for every index (i₀, …) of a box of sizes, <c>y[dstOffset + Σ iₐ·dstStrideₐ] =
/// x[srcOffset + Σ iₐ·srcStrideₐ]</c>. Permutes, slices and concatenations are all such copies.
/// Built on the host with size-1 dimensions dropped and neighbours that step alike in both buffers
/// merged; at most <see cref="MaxRank"/> dimensions remain. A plain struct of ints, so GPU
/// kernels take it as a parameter.
/// </summary>
public readonly struct CopyLayout
{
    /// <summary>The most dimensions left after merging.</summary>
    public const int MaxRank = 6;

    // Innermost first; unused dimensions have size 1 and stride 0.
    private readonly int s0, s1, s2, s3, s4, s5;
    private readonly int a0, a1, a2, a3, a4, a5;
    private readonly int b0, b1, b2, b3, b4, b5;

    private CopyLayout(ReadOnlySpan<int> sizes, ReadOnlySpan<int> src, ReadOnlySpan<int> dst, int rank, int srcOffset, int dstOffset)
    {
        (s0, s1, s2, s3, s4, s5) = (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5]);
        (a0, a1, a2, a3, a4, a5) = (src[0], src[1], src[2], src[3], src[4], src[5]);
        (b0, b1, b2, b3, b4, b5) = (dst[0], dst[1], dst[2], dst[3], dst[4], dst[5]);
        Rank = rank;
        SourceOffset = srcOffset;
        DestinationOffset = dstOffset;
        Count = s0 * s1 * s2 * s3 * s4 * s5;
    }

    /// <summary>Dimensions after merging (0 for a single element).</summary>
    public int Rank { get; }

    /// <summary>Elements copied.</summary>
    public int Count { get; }

    /// <summary>Offset of the first element read.</summary>
    public int SourceOffset { get; }

    /// <summary>Offset of the first element written.</summary>
    public int DestinationOffset { get; }

    /// <summary>Size of the innermost dimension (1 when the box is one element).</summary>
    public int InnerSize => s0;

    /// <summary>Source stride of the innermost dimension.</summary>
    public int InnerSourceStride => a0;

    /// <summary>Destination stride of the innermost dimension.</summary>
    public int InnerDestinationStride => b0;

    /// <summary>
    /// The source and destination offsets of the first element of row <paramref name="row"/>, the
    /// rows being the <see cref="Count"/> / <see cref="InnerSize"/> runs along the innermost dimension.
    /// </summary>
    public int RowOffsets(int row, out int destination)
    {
        int src = SourceOffset, dst = DestinationOffset;
        int c = row % s1;
        row /= s1;
        src += c * a1;
        dst += c * b1;
        c = row % s2;
        row /= s2;
        src += c * a2;
        dst += c * b2;
        c = row % s3;
        row /= s3;
        src += c * a3;
        dst += c * b3;
        c = row % s4;
        row /= s4;
        src += c * a4;
        dst += c * b4;
        destination = dst + (row * b5);
        return src + (row * a5);
    }

    /// <summary>The source and destination offsets of element <paramref name="i"/> in row-major order of the box.</summary>
    public int Offsets(int i, out int destination)
    {
        int inner = i % s0;
        int src = RowOffsets(i / s0, out destination);
        destination += inner * b0;
        return src + (inner * a0);
    }

    /// <summary>
    /// The layout of a box of <paramref name="sizes"/> (outermost first) read with
    /// <paramref name="srcStrides"/> from <paramref name="srcOffset"/> and written with
    /// <paramref name="dstStrides"/> from <paramref name="dstOffset"/>. Allocates nothing.
    /// </summary>
    /// <exception cref="NotSupportedException">More than <see cref="MaxRank"/> dimensions remain after merging.</exception>
    public static CopyLayout Create(ReadOnlySpan<int> sizes, ReadOnlySpan<int> srcStrides, int srcOffset, ReadOnlySpan<int> dstStrides, int dstOffset)
    {
        Span<int> s = [1, 1, 1, 1, 1, 1];
        Span<int> a = [0, 0, 0, 0, 0, 0];
        Span<int> b = [0, 0, 0, 0, 0, 0];
        int rank = 0;
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            if (sizes[d] == 1)
            {
                continue;
            }

            if (sizes[d] == 0)
            {
                return new CopyLayout([0, 1, 1, 1, 1, 1], a, b, 1, srcOffset, dstOffset);
            }

            int last = rank - 1;
            if (last >= 0 && srcStrides[d] == a[last] * s[last] && dstStrides[d] == b[last] * s[last])
            {
                s[last] *= sizes[d];
                continue;
            }

            if (rank == MaxRank)
            {
                throw new NotSupportedException($"A strided copy of sizes [{string.Join(", ", sizes.ToArray())}] keeps more than {MaxRank} dimensions that cannot be merged.");
            }

            (s[rank], a[rank], b[rank]) = (sizes[d], srcStrides[d], dstStrides[d]);
            rank++;
        }

        return new CopyLayout(s, a, b, rank, srcOffset, dstOffset);
    }

    /// <summary>The row-major strides of <paramref name="shape"/>, written into <paramref name="strides"/>.</summary>
    public static void RowMajorStrides(ReadOnlySpan<int> shape, Span<int> strides)
    {
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
    }
}
