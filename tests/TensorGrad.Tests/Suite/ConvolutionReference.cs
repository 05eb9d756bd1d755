namespace TensorGrad.Tests.Suite;

/// <summary>
/// Direct loops over host arrays, written without im2col: the reference the convolution and
/// pooling kernels are checked against.
/// </summary>
internal static class Reference
{
    public static (Shape Shape, double[] Values) Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        var (xs, ws) = (x.ToDoubleArray(), weight.ToDoubleArray());
        var bs = bias?.ToDoubleArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int o = weight.Shape[0], cg = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int oh = ((h + (2 * padding.H) - (dilation.H * (kh - 1)) - 1) / stride.H) + 1;
        int ow = ((w + (2 * padding.W) - (dilation.W * (kw - 1)) - 1) / stride.W) + 1;
        var y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < o; f++)
            {
                int group = f / (o / groups);
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bs?[f] ?? 0;
                        for (int ch = 0; ch < cg; ch++)
                        {
                            for (int p = 0; p < kh; p++)
                            {
                                for (int q = 0; q < kw; q++)
                                {
                                    int r = (i * stride.H) - padding.H + (p * dilation.H), s = (j * stride.W) - padding.W + (q * dilation.W);
                                    if (r >= 0 && r < h && s >= 0 && s < w)
                                    {
                                        sum += xs[(((b * c) + (group * cg) + ch) * h * w) + (r * w) + s] * ws[(((f * cg) + ch) * kh * kw) + (p * kw) + q];
                                    }
                                }
                            }
                        }

                        y[(((b * o) + f) * oh * ow) + (i * ow) + j] = sum;
                    }
                }
            }
        }

        return (new Shape(n, o, oh, ow), y);
    }

    /// <summary>The weight gradient of <see cref="Conv2d"/> for the output gradient <paramref name="gradY"/>: Σ gradY[n, f, i, j] · x[n, c, window position].</summary>
    public static double[] Conv2dWeightGradient(Tensor x, Tensor gradY, Shape weightShape, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        var (xs, gys) = (x.ToDoubleArray(), gradY.ToDoubleArray());
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int o = weightShape[0], cg = weightShape[1], kh = weightShape[2], kw = weightShape[3];
        int oh = gradY.Shape[2], ow = gradY.Shape[3];
        var gw = new double[o * cg * kh * kw];
        for (int f = 0; f < o; f++)
        {
            int group = f / (o / groups);
            for (int ch = 0; ch < cg; ch++)
            {
                for (int p = 0; p < kh; p++)
                {
                    for (int q = 0; q < kw; q++)
                    {
                        double sum = 0;
                        for (int b = 0; b < n; b++)
                        {
                            for (int i = 0; i < oh; i++)
                            {
                                for (int j = 0; j < ow; j++)
                                {
                                    int r = (i * stride.H) - padding.H + (p * dilation.H), s = (j * stride.W) - padding.W + (q * dilation.W);
                                    if (r >= 0 && r < h && s >= 0 && s < w)
                                    {
                                        sum += gys[(((b * o) + f) * oh * ow) + (i * ow) + j] * xs[(((b * c) + (group * cg) + ch) * h * w) + (r * w) + s];
                                    }
                                }
                            }
                        }

                        gw[(((f * cg) + ch) * kh * kw) + (p * kw) + q] = sum;
                    }
                }
            }
        }

        return gw;
    }

    /// <summary>The input gradient of <see cref="Conv2d"/> for the output gradient <paramref name="gradY"/>: each output's gradient times the weight, added to the input its window reads.</summary>
    public static double[] Conv2dInputGradient(Shape xShape, Tensor weight, Tensor gradY, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        var (ws, gys) = (weight.ToDoubleArray(), gradY.ToDoubleArray());
        int n = xShape[0], c = xShape[1], h = xShape[2], w = xShape[3];
        int o = weight.Shape[0], cg = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int oh = gradY.Shape[2], ow = gradY.Shape[3];
        var gx = new double[n * c * h * w];
        for (int b = 0; b < n; b++)
        {
            for (int f = 0; f < o; f++)
            {
                int group = f / (o / groups);
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double g = gys[(((b * o) + f) * oh * ow) + (i * ow) + j];
                        for (int ch = 0; ch < cg; ch++)
                        {
                            for (int p = 0; p < kh; p++)
                            {
                                for (int q = 0; q < kw; q++)
                                {
                                    int r = (i * stride.H) - padding.H + (p * dilation.H), s = (j * stride.W) - padding.W + (q * dilation.W);
                                    if (r >= 0 && r < h && s >= 0 && s < w)
                                    {
                                        gx[(((b * c) + (group * cg) + ch) * h * w) + (r * w) + s] += g * ws[(((f * cg) + ch) * kh * kw) + (p * kw) + q];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return gx;
    }

    /// <summary>x with zeros added on each side, as a new float tensor on x's device.</summary>
    public static Tensor Pad(Tensor x, int top, int bottom, int left, int right)
    {
        var xs = x.ToArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int ph = h + top + bottom, pw = w + left + right;
        var y = new float[n * c * ph * pw];
        for (int p = 0; p < n * c; p++)
        {
            for (int r = 0; r < h; r++)
            {
                Array.Copy(xs, (p * h * w) + (r * w), y, (p * ph * pw) + ((r + top) * pw) + left, w);
            }
        }

        return Tensor.FromArray(y, new Shape(n, c, ph, pw), x.Device);
    }

    /// <summary>Max (padding as -∞) or average (padding as zeros counted in the mean) over each window.</summary>
    public static (Shape Shape, double[] Values) Pool(Tensor x, int kernel, int stride, int padding, int dilation, bool average)
    {
        var xs = x.ToDoubleArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int oh = ((h + (2 * padding) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        int ow = ((w + (2 * padding) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        var y = new double[n * c * oh * ow];
        for (int p = 0; p < n * c; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    double acc = average ? 0 : double.NegativeInfinity;
                    for (int a = 0; a < kernel; a++)
                    {
                        for (int b = 0; b < kernel; b++)
                        {
                            int r = (i * stride) - padding + (a * dilation), s = (j * stride) - padding + (b * dilation);
                            double v = r >= 0 && r < h && s >= 0 && s < w ? xs[(p * h * w) + (r * w) + s] : average ? 0 : double.NegativeInfinity;
                            acc = average ? acc + v : Math.Max(acc, v);
                        }
                    }

                    y[(p * oh * ow) + (i * ow) + j] = average ? acc / (kernel * kernel) : acc;
                }
            }
        }

        return (new Shape(n, c, oh, ow), y);
    }
}
