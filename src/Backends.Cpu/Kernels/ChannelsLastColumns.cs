using System.Numerics;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// The transposed column matrix of a convolution (row p an output position, column (i, j, c)
/// kernel position (i, j) and channel c) read from a channels-last padded copy of the image
/// (<see cref="ChannelsLastWeightGradient"/>): element (p, (i, j, c)) is
/// <c>copy[oh·StrideH + i·DilationH, ow·StrideW + j·DilationW, c]</c> for p = (oh, ow). The
/// channels of one kernel position lie side by side, so with a channel count that is a multiple
/// of the register tile every tile of columns is one contiguous run, which the micro-kernel reads
/// where it lies (<see cref="Direct"/>).
/// Several images' copies, <paramref name="copyStride"/> elements apart, stack their positions:
/// row p is position p mod OutPlane of copy p / OutPlane.
/// </summary>
/// <param name="copy">The padded copies, each [height, width, channels] row-major.</param>
/// <param name="width">Columns of a padded copy.</param>
/// <param name="copyStride">Elements from one image's copy to the next.</param>
/// <param name="g">The convolution's sizes (of one group).</param>
internal readonly unsafe struct ChannelsLastColumns<T>(T* copy, int width, long copyStride, ConvGeometry g) : IPanelSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public static bool Direct => true;

    /// <inheritdoc />
    public void Rows(int p0, int count, T** rows)
    {
        int position = p0 % g.OutPlane, oh = position / g.OutWidth, ow = position % g.OutWidth, channels = g.GroupChannels;
        T* image = copy + (p0 / g.OutPlane * copyStride);
        for (int r = 0; r < count; r++)
        {
            rows[r] = image + ((((long)oh * g.StrideH * width) + ((long)ow * g.StrideW)) * channels);
            if (++ow == g.OutWidth)
            {
                ow = 0;
                if (++oh == g.OutHeight)
                {
                    oh = 0;
                    image += copyStride;
                }
            }
        }
    }

    /// <inheritdoc />
    public int Column(int j)
    {
        int channels = g.GroupChannels, position = j / channels;
        int i = position / g.KernelW, k = position % g.KernelW;
        return (((i * g.DilationH * width) + (k * g.DilationW)) * channels) + (j % channels);
    }
}
