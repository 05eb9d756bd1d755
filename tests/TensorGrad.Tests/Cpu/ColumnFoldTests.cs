using TensorGrad.Backends;
using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// col2im of two planes in one call (<see cref="ConvolutionKernels.FoldPlanes{T}"/>) against a
/// direct scatter of every column entry into the input position it read: strides, dilations and
/// padding in either direction, and a tall image whose table of kernel rows per input row outgrows
/// the stack.
/// </summary>
public sealed class ColumnFoldTests
{
    /// <summary>(height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW).</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Geometries => new()
    {
        { 12, 12, 5, 5, 1, 1, 0, 0, 1, 1 },   // LeNet's second convolution: 8×8 outputs
        { 9, 21, 3, 3, 1, 1, 1, 1, 1, 1 },    // padded, rows longer than a vector with a tail
        { 11, 13, 3, 2, 2, 3, 1, 2, 2, 1 },   // strided both ways, dilated rows
        { 900, 9, 5, 3, 2, 1, 2, 1, 1, 1 },   // 900 rows: the table of runs is rented
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Folded_planes_are_the_sums_of_the_column_entries_that_read_them(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        int oh = ((h + (2 * ph) - (dh * (kh - 1)) - 1) / sh) + 1, ow = ((w + (2 * pw) - (dw * (kw - 1)) - 1) / sw) + 1;
        var g = new ConvGeometry(1, 2, h, w, 4, 1, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
        var r = new Random(h + w + kh);

        // Two channels' rows, each row padded by a few entries and offset by 3, as Col2Im's rows of a batch are.
        int rowStride = g.OutPlane + 5, offset = 3;
        var col = new double[2 * kh * kw * rowStride];
        for (int i = 0; i < col.Length; i++)
        {
            col[i] = r.NextDouble() - 0.5;
        }

        var planes = new double[2 * h * w];
        Array.Fill(planes, double.NaN);
        ConvolutionKernels.FoldPlanes<double>(col, rowStride, offset, g, 0, 2, planes);

        var expected = new double[2 * h * w];
        Scatter(col, rowStride, offset, g, 0, 2, expected);

        AssertClose(expected, planes, h * w, w);
    }

    [Fact]
    public void Col2Im_folds_every_image_and_channel_of_a_batch()
    {
        // Three images of five channels: each part of the split folds the planes of one image at a time.
        int h = 9, w = 10, kh = 3, kw = 2;
        var g = new ConvGeometry(3, 5, h, w, 4, 1, kh, kw, 2, 1, 1, 0, 1, 1, 5, 9);
        var r = new Random(7);
        var col = new double[g.ColumnRows * g.ColumnCols];
        for (int i = 0; i < col.Length; i++)
        {
            col[i] = r.NextDouble() - 0.5;
        }

        var x = new double[g.Batch * g.Channels * h * w];
        Array.Fill(x, double.NaN);
        ConvolutionKernels.Col2Im(col, g, 0, x);

        var expected = new double[x.Length];
        for (int n = 0; n < g.Batch; n++)
        {
            Scatter(col, g.ColumnCols, n * g.OutPlane, g, 0, g.Channels, expected.AsSpan(n * g.Channels * h * w, g.Channels * h * w));
        }

        AssertClose(expected, x, h * w, w);
    }

    // expected[c, ih, iw] += col[(c0 + c, i, j), offset + (oh, ow)] for every column entry that reads (ih, iw).
    private static void Scatter(double[] col, int rowStride, int offset, in ConvGeometry g, int c0, int channels, Span<double> expected)
    {
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < g.KernelH; i++)
            {
                for (int j = 0; j < g.KernelW; j++)
                {
                    for (int y = 0; y < g.OutHeight; y++)
                    {
                        for (int x = 0; x < g.OutWidth; x++)
                        {
                            int ih = (y * g.StrideH) - g.PadH + (i * g.DilationH), iw = (x * g.StrideW) - g.PadW + (j * g.DilationW);
                            if ((uint)ih < (uint)g.Height && (uint)iw < (uint)g.Width)
                            {
                                int row = (((c0 + c) * g.KernelH) + i) * g.KernelW + j;
                                expected[(c * g.Height * g.Width) + (ih * g.Width) + iw] += col[(row * rowStride) + offset + (y * g.OutWidth) + x];
                            }
                        }
                    }
                }
            }
        }
    }

    private static void AssertClose(double[] expected, double[] actual, int planeSize, int width)
    {
        for (int p = 0; p < actual.Length; p++)
        {
            Assert.True(Math.Abs(expected[p] - actual[p]) <= 1e-12, $"plane {p / planeSize}, input position ({p % planeSize / width}, {p % width}): expected {expected[p]}, got {actual[p]}");
        }
    }
}
