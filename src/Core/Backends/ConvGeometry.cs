namespace TensorGrad.Backends;

/// <summary>
/// The sizes of a 2-D convolution or pooling window over an NCHW input: the input
/// [Batch, Channels, Height, Width], the output [Batch, OutChannels, OutHeight, OutWidth], the
/// kernel, stride, dilation, and the zero padding added before the first row and column (the
/// padding after the last follows from the output size, so PyTorch's asymmetric "same" padding
/// fits). Channels are split into <see cref="Groups"/> groups that see only their own inputs.
/// </summary>
/// <remarks>
/// The column matrix of group g (<see cref="IBackend.Im2Col"/>) is [<see cref="ColumnRows"/>,
/// <see cref="ColumnCols"/>]: row (c, i, j) for input channel c of the group and kernel position
/// (i, j), column (n, oh, ow) for image n and output position (oh, ow).
/// </remarks>
public readonly record struct ConvGeometry(
    int Batch, int Channels, int Height, int Width, int OutChannels, int Groups,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW,
    int OutHeight, int OutWidth)
{
    /// <summary>Input channels per group.</summary>
    public int GroupChannels => Channels / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;

    /// <summary>Output positions per image and channel.</summary>
    public int OutPlane => OutHeight * OutWidth;

    /// <summary>Rows of a group's column matrix: input channels per group times kernel positions.</summary>
    public int ColumnRows => GroupChannels * KernelH * KernelW;

    /// <summary>Columns of a group's column matrix: images times output positions.</summary>
    public int ColumnCols => Batch * OutHeight * OutWidth;

    /// <summary>Elements of the input.</summary>
    public long InputSize => (long)Batch * Channels * Height * Width;

    /// <summary>Elements of the output.</summary>
    public long OutputSize => (long)Batch * OutChannels * OutHeight * OutWidth;

    /// <summary>Offset in the input of the plane of channel <paramref name="channel"/> of group <paramref name="group"/> in image <paramref name="image"/>.</summary>
    public long InputPlaneOffset(int image, int group, int channel) =>
        (((long)image * Channels) + ((long)group * GroupChannels) + channel) * Height * Width;

    /// <summary>
    /// The same windows over each channel as its own single-channel image (Batch·Channels images
    /// of one channel): the layout pooling uses, where channels never mix.
    /// </summary>
    public ConvGeometry PerChannel => this with { Batch = Batch * Channels, Channels = 1, OutChannels = 1, Groups = 1 };

    /// <summary>The output length of one spatial dimension: ⌊(size + padding - dilation·(kernel - 1) - 1) / stride⌋ + 1.</summary>
    public static int OutputLength(int size, int padBefore, int padAfter, int kernel, int stride, int dilation) =>
        ((size + padBefore + padAfter - (dilation * (kernel - 1)) - 1) / stride) + 1;
}
