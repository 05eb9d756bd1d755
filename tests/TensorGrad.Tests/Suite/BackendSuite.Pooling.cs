namespace TensorGrad.Tests.Suite;

/// <summary>MaxPool2d, AvgPool2d and AdaptiveAvgPool2d: a direct reference, first maxima, the CPU's vector paths at wide rows, gradient checks.</summary>
public abstract partial class BackendSuite
{
    [Theory]
    [InlineData(2, 2, 0, 1)]
    [InlineData(3, 2, 1, 1)]   // overlapping windows with padding
    [InlineData(3, 1, 1, 2)]   // dilated, stride 1
    public void Pools_match_a_direct_reference_and_their_gradients_match_finite_differences(int kernel, int stride, int padding, int dilation)
    {
        var r = new Random((kernel * 10) + stride + padding);
        var x = Tensor.Rand(new Shape(2, 3, 7, 6), r, -1, 1, Device);
        Recorded(() =>
        {
            var max = Reference.Pool(x, kernel, stride, padding, dilation, average: false);
            var y = x.MaxPool2d(kernel, stride, padding, dilation);
            Assert.Equal(max.Shape, y.Shape);
            AssertClose(max.Values, y.ToArray(), 1e-6);
            if (dilation == 1)
            {
                var mean = Reference.Pool(x, kernel, stride, padding, 1, average: true);
                AssertClose(mean.Values, x.AvgPool2d(kernel, stride, padding).ToArray(), 1e-5);
            }
        });

        var p = Param64(r, -1, 1, 2, 2, 7, 6);
        AssertGradients(t => t[0].MaxPool2d(kernel, stride, padding, dilation), p);
        if (dilation == 1)
        {
            AssertGradients(t => t[0].AvgPool2d(kernel, stride, padding), p);
        }
    }

    [Fact]
    public void Max_pooling_sends_each_window_gradient_to_its_first_maximum()
    {
        var x = T([1, 3, 3, 0, 2, 2, 2, 2, 5, 1, 0, 5, 1, 1, 1, 5], 1, 1, 4, 4);
        x.RequiresGrad = true;
        Recorded(() =>
        {
            var y = x.MaxPool2d(2);
            AssertClose([3, 3, 5, 5], y.ToArray());
            y.Sum().Backward();
        });
        AssertClose([0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0], x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(6, 37)]  // 18 outputs a row: two chunks of eight and a tail of two; an odd column left over
    [InlineData(8, 8)]   // 4 outputs a row: one chunk of four, windows tiling the plane
    [InlineData(4, 24)]  // 12: a chunk of eight and one of four
    [InlineData(5, 26)]  // 13: eight, four and one; an odd row left over
    public void Two_by_two_float_pooling_matches_the_reference_and_finds_first_maxima(int h, int w)
    {
        // Rows for the CPU's eight- and four-at-a-time 2×2 paths, values on a coarse grid so
        // windows hold ties, and a NaN and a -∞ in some windows.
        var r = new Random(12 + w);
        var values = Enumerable.Range(0, 2 * 3 * h * w).Select(_ => MathF.Round((float)r.NextDouble() * 4) / 4).ToArray();
        values[(1 * w) + 5] = float.NaN;
        values[(2 * w) + 20] = float.NegativeInfinity;
        var x = T(values, 2, 3, h, w);
        x.RequiresGrad = true;
        var expectedAverage = Reference.Pool(x, 2, 2, 0, 1, average: true);
        var (shape, expectedMax) = Reference.Pool(x, 2, 2, 0, 1, average: false);
        var z = T(values, 2, 3, h, w);
        z.RequiresGrad = true;
        float[] max = [], average = [];
        Recorded(() =>
        {
            var y = x.MaxPool2d(2);
            max = y.ToArray();
            y.Sum().Backward();
            var mean = z.AvgPool2d(2);
            average = mean.ToArray();
            mean.Sum().Backward();
        });

        // The first maximum of each window (in window order) gets the window's gradient; a NaN wins.
        var firstMaxima = new double[values.Length];
        int oh = shape[2], ow = shape[3];
        for (int plane = 0; plane < 6; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    int best = -1;
                    foreach (int at in new[] { 0, 1, w, w + 1 }.Select(d => (plane * h * w) + (2 * i * w) + (2 * j) + d))
                    {
                        if (best < 0 || values[at] > values[best] || (float.IsNaN(values[at]) && !float.IsNaN(values[best])))
                        {
                            best = at;
                        }
                    }

                    firstMaxima[best] += 1;
                }
            }
        }

        Assert.True(float.IsNaN(max[2]), "the window holding the NaN pools to NaN");
        AssertClose([.. expectedMax.Select((v, i) => i == 2 ? 0 : v)], [.. max.Select((v, i) => i == 2 ? 0 : v)]);
        Assert.Equal(expectedAverage.Values.Select(double.IsFinite), average.Select(float.IsFinite));
        AssertClose([.. expectedAverage.Values.Select(v => double.IsFinite(v) ? v : 0)], [.. average.Select(v => float.IsFinite(v) ? v : 0)], 1e-6);
        AssertClose(firstMaxima, x.Grad!.ToArray());

        // Average pooling gives every value of a window a quarter; a row or column left over gets nothing.
        var quarters = Enumerable.Range(0, values.Length).Select(at => at % (h * w) / w < 2 * oh && at % w < 2 * ow ? 0.25 : 0).ToArray();
        AssertClose(quarters, z.Grad!.ToArray());
    }

    [Theory]
    [InlineData(3, 2, 1, 45)]  // ResNet's stem pooling
    [InlineData(3, 2, 1, 40)]
    [InlineData(3, 1, 1, 45)]
    [InlineData(3, 1, 1, 41)]  // the last eight inside the columns end at the border
    [InlineData(2, 1, 0, 41)]
    [InlineData(5, 2, 2, 45)]
    [InlineData(3, 2, 0, 38)]
    public void Float_pooling_of_wide_rows_matches_a_per_window_reference(int kernel, int stride, int padding, int w)
    {
        // Rows wide enough for the CPU's eight-outputs-at-a-time path on the windows inside the
        // columns, with the border windows beside them; values on a coarse grid so windows hold
        // ties, and a NaN inside the image. Each output has its own gradient: the maximum's goes to its
        // window's first maximum, the average's in equal shares to every value of its window.
        int h = 9, planes = 4;
        var r = new Random((kernel * 100) + (stride * 10) + padding);
        var values = Enumerable.Range(0, planes * h * w).Select(_ => MathF.Round((float)r.NextDouble() * 4) / 4).ToArray();
        values[(4 * w) + 20] = float.NaN;
        var x = T(values, 1, planes, h, w);
        x.RequiresGrad = true;
        int oh = ((h + (2 * padding) - kernel) / stride) + 1, ow = ((w + (2 * padding) - kernel) / stride) + 1;
        var gradients = Enumerable.Range(0, planes * oh * ow).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
        var expectedMax = new double[planes * oh * ow];
        var expectedAverage = new double[planes * oh * ow];
        var firstMaxima = new double[values.Length];
        var shares = new double[values.Length];
        for (int plane = 0; plane < planes; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    int best = -1;
                    double sum = 0;
                    for (int a = 0; a < kernel; a++)
                    {
                        for (int b = 0; b < kernel; b++)
                        {
                            int row = (i * stride) - padding + a, column = (j * stride) - padding + b;
                            if (row < 0 || row >= h || column < 0 || column >= w)
                            {
                                continue;
                            }

                            int at = (plane * h * w) + (row * w) + column;
                            sum += values[at];
                            if (best < 0 || values[at] > values[best] || (float.IsNaN(values[at]) && !float.IsNaN(values[best])))
                            {
                                best = at;
                            }
                        }
                    }

                    int o = (plane * oh * ow) + (i * ow) + j;
                    expectedMax[o] = values[best];
                    expectedAverage[o] = sum / (kernel * kernel);
                    firstMaxima[best] += gradients[o];
                    for (int a = 0; a < kernel; a++)
                    {
                        for (int b = 0; b < kernel; b++)
                        {
                            int row = (i * stride) - padding + a, column = (j * stride) - padding + b;
                            if (row >= 0 && row < h && column >= 0 && column < w)
                            {
                                shares[(plane * h * w) + (row * w) + column] += gradients[o] / (double)(kernel * kernel);
                            }
                        }
                    }
                }
            }
        }

        var z = T(values, 1, planes, h, w);
        z.RequiresGrad = true;
        float[] max = [], average = [];
        Recorded(() =>
        {
            var gy = T(gradients, 1, planes, oh, ow);
            var y = x.MaxPool2d(kernel, stride, padding);
            max = y.ToArray();
            (y * gy).Sum().Backward();
            var mean = z.AvgPool2d(kernel, stride, padding);
            average = mean.ToArray();
            (mean * gy).Sum().Backward();
        });

        Assert.Equal(expectedMax.Select(double.IsNaN), max.Select(float.IsNaN));
        Assert.Contains(max, float.IsNaN);
        AssertClose([.. expectedMax.Select(v => double.IsNaN(v) ? 0 : v)], [.. max.Select(v => float.IsNaN(v) ? 0 : v)]);
        Assert.Equal(expectedAverage.Select(double.IsNaN), average.Select(float.IsNaN));
        AssertClose([.. expectedAverage.Select(v => double.IsNaN(v) ? 0 : v)], [.. average.Select(v => float.IsNaN(v) ? 0 : v)], 1e-6);
        AssertClose(firstMaxima, x.Grad!.ToArray(), 1e-6);
        AssertClose(shares, z.Grad!.ToArray(), 1e-6);
    }

    [Fact]
    public void Adaptive_average_pooling_averages_each_channel_or_equal_windows()
    {
        var r = new Random(8);
        var x = Param64(r, -1, 1, 2, 3, 4, 6);
        Recorded(() =>
        {
            var global = x.AdaptiveAvgPool2d(1);
            Assert.Equal(new Shape(2, 3, 1, 1), global.Shape);
            var values = x.ToDoubleArray();
            AssertClose([.. Enumerable.Range(0, 6).Select(p => values.Skip(p * 24).Take(24).Average())], global.ToDoubleArray(), 1e-12);
            AssertClose(x.AvgPool2d((2, 3)).ToDoubleArray(), x.AdaptiveAvgPool2d((2, 2)).ToDoubleArray(), 1e-12);
        });
        AssertGradients(t => t[0].AdaptiveAvgPool2d(1), x);
        Assert.Throws<ArgumentException>(() => x.AdaptiveAvgPool2d(5));
    }

    [Fact]
    public void Global_max_pooling_sends_each_plane_gradient_to_its_first_maximum()
    {
        // One 40×40 window per plane: 1,600 window positions, more than the CPU backend keeps on the
        // stack. Each plane's maximum (2, twice) lies at a different position, most past the 1,024th.
        var r = new Random(40);
        var values = new float[6 * 1600];
        int[] maxima = [1599, 1234, 1025, 800, 1500, 37];
        for (int plane = 0; plane < 6; plane++)
        {
            for (int i = 0; i < 1600; i++)
            {
                values[(plane * 1600) + i] = (float)((r.NextDouble() * 2) - 1);
            }

            values[(plane * 1600) + maxima[plane]] = 2;
            values[(plane * 1600) + Math.Min(1599, maxima[plane] + 1)] = 2;
        }

        var x = T(values, 2, 3, 40, 40);
        x.RequiresGrad = true;
        Recorded(() => x.MaxPool2d(40).Sum().Backward());

        var grad = x.Grad!.ToArray();
        for (int plane = 0; plane < 6; plane++)
        {
            for (int i = 0; i < 1600; i++)
            {
                Assert.Equal(i == maxima[plane] ? 1f : 0f, grad[(plane * 1600) + i]);
            }
        }
    }

    [Fact]
    public void Max_pooling_of_a_window_of_minus_infinity_sends_nothing_into_the_padding()
    {
        // Every value is -∞, so no tap beats the first and each window keeps its first position;
        // at the top and left borders that position lies in the padding, whose gradient is
        // dropped: it must not land on another row's values (the last row and column are no
        // window's first position).
        var x = T([.. Enumerable.Repeat(float.NegativeInfinity, 2 * 5 * 20)], 1, 2, 5, 20);
        x.RequiresGrad = true;
        Recorded(() => x.MaxPool2d(3, 1, 1).Sum().Backward());
        var grad = x.Grad!.ToArray();
        for (int at = 0; at < grad.Length; at++)
        {
            int row = at % 100 / 20, column = at % 20;
            Assert.Equal(row < 4 && column < 19 ? 1f : 0f, grad[at]);
        }
    }
}
