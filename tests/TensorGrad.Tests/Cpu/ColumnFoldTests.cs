using TensorGrad.Backends;
using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// col2im of one plane (<see cref="ConvolutionKernels.FoldPlane{T}"/>) against a direct scatter
/// of every column entry into the input position it read: strides, dilations and padding in
/// either direction, and a tall image whose table of kernel rows per input row outgrows the stack.
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
    public void A_folded_plane_is_the_sum_of_the_column_entries_that_read_it(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
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

        var plane = new double[h * w];
        Array.Fill(plane, double.NaN);
        ConvolutionKernels.FoldPlane<double>(col, rowStride, offset, g, 1, plane);

        var expected = new double[h * w];
        for (int i = 0; i < kh; i++)
        {
            for (int j = 0; j < kw; j++)
            {
                for (int y = 0; y < oh; y++)
                {
                    for (int x = 0; x < ow; x++)
                    {
                        int ih = (y * sh) - ph + (i * dh), iw = (x * sw) - pw + (j * dw);
                        if ((uint)ih < (uint)h && (uint)iw < (uint)w)
                        {
                            expected[(ih * w) + iw] += col[((((1 * kh) + i) * kw) + j) * rowStride + offset + (y * ow) + x];
                        }
                    }
                }
            }
        }

        for (int p = 0; p < plane.Length; p++)
        {
            Assert.True(Math.Abs(expected[p] - plane[p]) <= 1e-12, $"input position ({p / w}, {p % w}): expected {expected[p]}, got {plane[p]}");
        }
    }
}
