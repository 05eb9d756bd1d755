namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Where a <see cref="PaddedConvolution"/> keeps its zero-padded copies of an image, so that row
/// (c, i, j) of the column matrix is one contiguous run of them. When the padded rows are at most
/// a quarter wider than the output rows there is one copy, as wide as the padded rows, and the
/// product is computed for output rows that wide (the extra columns are dropped); otherwise there
/// are KernelW copies as wide as the output rows, copy j shifted left by kernel column j (times
/// the dilation), and no column is computed twice.
/// </summary>
/// <param name="Copies">1, or KernelW.</param>
/// <param name="Height">Rows of each plane: exactly those the windows of the output read.</param>
/// <param name="Width">Columns of each plane, and the width of the product's rows.</param>
/// <param name="ColumnStep">How far the run moves right per kernel column within one copy (the dilation), or 0 across shifted copies.</param>
/// <param name="CopyStride">Elements from one shifted copy to the next (0 with one copy).</param>
internal readonly record struct PaddedLayout(int Copies, int Height, int Width, int ColumnStep, long CopyStride)
{
    /// <summary>The layout for a stride-1 convolution (one group's channels).</summary>
    public static PaddedLayout For(in ConvGeometry g) => MostlyImage(g) ? Wide(g) : Shifted(g);

    /// <summary>
    /// One copy as wide as the padded rows. Position-major products (<see cref="PositionGemm"/>)
    /// always take it: they compute real output positions only, so its extra columns cost nothing,
    /// and without padding it is the image itself (<see cref="IsImage"/>).
    /// </summary>
    public static PaddedLayout Wide(in ConvGeometry g) => new(1, CopyHeight(g), g.OutWidth + (g.DilationW * (g.KernelW - 1)), g.DilationW, 0);

    /// <summary>Whether <see cref="Wide"/>'s copy equals the image (no padding, nor cropping): its planes can be read where they lie.</summary>
    public static bool IsImage(in ConvGeometry g) => g.PadH == 0 && g.PadW == 0;

    /// <summary>
    /// The layout for a weight gradient: <see cref="For"/>, unless its single wide copy would have
    /// the output gradient copied into rows as wide, and KernelW shifted copies of the image take no
    /// more room than that copy (few input channels, such as a first layer over a grayscale image).
    /// The shifted copies leave the output gradient where it lies and compute no extra columns.
    /// </summary>
    public static PaddedLayout ForWeightGradient(in ConvGeometry g)
    {
        var layout = For(g);
        var shifted = Shifted(g);
        return layout.Copies == 1 && shifted.Size(g) <= (long)g.GroupOutChannels * g.OutHeight * layout.Width ? shifted : layout;
    }

    private static PaddedLayout Shifted(in ConvGeometry g) => new(g.KernelW, CopyHeight(g), g.OutWidth, 0, (long)g.GroupChannels * CopyHeight(g) * g.OutWidth);

    private static int CopyHeight(in ConvGeometry g) => g.OutHeight + (g.DilationH * (g.KernelH - 1));

    /// <summary>
    /// Whether the windows read mostly the image rather than its padding: the padded rows at most
    /// a quarter wider than the output rows (e.g. a 5×5 kernel over an 8×8 output reads 12
    /// columns for every 8).
    /// </summary>
    public static bool MostlyImage(in ConvGeometry g) => 4 * (g.OutWidth + (g.DilationW * (g.KernelW - 1))) <= 5 * g.OutWidth;

    /// <summary>Elements of the copies.</summary>
    public long Size(in ConvGeometry g) => (long)Copies * g.GroupChannels * Height * Width;

    /// <summary>offsets[r] = where the run of column matrix row p0 + r, row (c, i, j), starts in the copies.</summary>
    public void RowOffsets(in ConvGeometry g, int p0, Span<long> offsets)
    {
        int window = g.KernelH * g.KernelW;
        int c = p0 / window, i = p0 % window / g.KernelW, j = p0 % g.KernelW;
        for (int r = 0; r < offsets.Length; r++)
        {
            offsets[r] = (j * CopyStride) + ((((long)c * Height) + ((long)i * g.DilationH)) * Width) + (j * ColumnStep);
            if (++j == g.KernelW)
            {
                j = 0;
                if (++i == g.KernelH)
                {
                    i = 0;
                    c++;
                }
            }
        }
    }
}
