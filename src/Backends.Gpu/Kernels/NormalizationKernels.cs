using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>The buffers and sizes of one layer normalization, passed to its kernels as one value; absent weight or bias are flagged off.</summary>
internal readonly struct LayerNormViews<T>(ArrayView<T> x, ArrayView<T> weight, ArrayView<T> bias, ArrayView<T> mean, ArrayView<T> rstd, int rows, int cols, bool hasWeight, bool hasBias)
    where T : unmanaged
{
    public readonly ArrayView<T> X = x;
    public readonly ArrayView<T> Weight = weight;
    public readonly ArrayView<T> Bias = bias;
    public readonly ArrayView<T> Mean = mean;
    public readonly ArrayView<T> Rstd = rstd;
    public readonly int Rows = rows;
    public readonly int Cols = cols;
    public readonly int HasWeight = hasWeight ? 1 : 0;
    public readonly int HasBias = hasBias ? 1 : 0;
}

/// <summary>Layer normalization forward and backward: one thread per row, and one per column for the weight and bias gradients.</summary>
internal static class NormalizationKernels
{
    public static void LayerNorm<T>(LayerNormViews<T> v, ArrayView<T> y, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = GridLoop.Start; r < v.Rows; r += GridLoop.Step)
        {
            int start = r * v.Cols;
            T n = T.Zero, sum = T.Zero;
            for (int c = 0; c < v.Cols; c++)
            {
                sum += v.X[start + c];
                n += T.One;
            }

            T mean = sum / n, squares = T.Zero;
            for (int c = 0; c < v.Cols; c++)
            {
                T d = v.X[start + c] - mean;
                squares += d * d;
            }

            T rstd = T.One / T.Sqrt((squares / n) + eps);
            for (int c = 0; c < v.Cols; c++)
            {
                T value = (v.X[start + c] - mean) * rstd;
                value = v.HasWeight != 0 ? value * v.Weight[c] : value;
                y[start + c] = v.HasBias != 0 ? value + v.Bias[c] : value;
            }

            v.Mean[r] = mean;
            v.Rstd[r] = rstd;
        }
    }

    /// <summary>gradX = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) per row, with ĝ = gradY·weight.</summary>
    public static void LayerNormInputGradient<T>(LayerNormViews<T> v, ArrayView<T> gradY, ArrayView<T> gradX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = GridLoop.Start; r < v.Rows; r += GridLoop.Step)
        {
            int start = r * v.Cols;
            T mean = v.Mean[r], rstd = v.Rstd[r], n = T.Zero, sumG = T.Zero, sumGx = T.Zero;
            for (int c = 0; c < v.Cols; c++)
            {
                T g = v.HasWeight != 0 ? gradY[start + c] * v.Weight[c] : gradY[start + c];
                sumG += g;
                sumGx += g * (v.X[start + c] - mean) * rstd;
                n += T.One;
            }

            T meanG = sumG / n, meanGx = sumGx / n;
            for (int c = 0; c < v.Cols; c++)
            {
                T g = v.HasWeight != 0 ? gradY[start + c] * v.Weight[c] : gradY[start + c];
                gradX[start + c] = rstd * (g - meanG - ((v.X[start + c] - mean) * rstd * meanGx));
            }
        }
    }

    /// <summary>gradWeight[c] = Σ_r gradY·x̂ and gradBias[c] = Σ_r gradY (each written when flagged).</summary>
    public static void LayerNormParameterGradients<T>(LayerNormViews<T> v, ArrayView<T> gradY, ArrayView<T> gradWeight, ArrayView<T> gradBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = GridLoop.Start; c < v.Cols; c += GridLoop.Step)
        {
            T sumW = T.Zero, sumB = T.Zero;
            for (int r = 0; r < v.Rows; r++)
            {
                T g = gradY[(r * v.Cols) + c];
                sumW += g * (v.X[(r * v.Cols) + c] - v.Mean[r]) * v.Rstd[r];
                sumB += g;
            }

            if (v.HasWeight != 0)
            {
                gradWeight[c] = sumW;
            }

            if (v.HasBias != 0)
            {
                gradBias[c] = sumB;
            }
        }
    }
}

/// <summary>The buffers and sizes of one batch normalization over x [outer, channels, inner], passed to its kernels as one value.</summary>
internal readonly struct BatchNormViews<T>(ArrayView<T> x, ArrayView<T> weight, ArrayView<T> bias, ArrayView<T> mean, ArrayView<T> variance, ArrayView<T> coefficients, int outer, int channels, int inner, bool hasWeight, bool hasBias)
    where T : unmanaged
{
    public readonly ArrayView<T> X = x;
    public readonly ArrayView<T> Weight = weight;
    public readonly ArrayView<T> Bias = bias;
    public readonly ArrayView<T> Mean = mean;
    public readonly ArrayView<T> Variance = variance;

    /// <summary>Three per-channel coefficient rows [3, channels]: y (or gradX) = x·row 0 + row 1 (+ gradY·row 2).</summary>
    public readonly ArrayView<T> Coefficients = coefficients;
    public readonly int Outer = outer;
    public readonly int Channels = channels;
    public readonly int Inner = inner;
    public readonly int HasWeight = hasWeight ? 1 : 0;
    public readonly int HasBias = hasBias ? 1 : 0;
}

/// <summary>Batch normalization: one thread per channel for the statistics and sums, then one per element for the affine maps.</summary>
internal static class BatchNormKernels
{
    /// <summary>Per channel: mean, biased variance, and y = x·scale + shift's coefficients.</summary>
    public static void Statistics<T>(BatchNormViews<T> v, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = GridLoop.Start; c < v.Channels; c += GridLoop.Step)
        {
            T n = T.Zero, sum = T.Zero;
            for (int o = 0; o < v.Outer; o++)
            {
                for (int i = 0; i < v.Inner; i++)
                {
                    sum += v.X[(((o * v.Channels) + c) * v.Inner) + i];
                    n += T.One;
                }
            }

            T mean = sum / n, squares = T.Zero;
            for (int o = 0; o < v.Outer; o++)
            {
                for (int i = 0; i < v.Inner; i++)
                {
                    T d = v.X[(((o * v.Channels) + c) * v.Inner) + i] - mean;
                    squares += d * d;
                }
            }

            T variance = squares / n;
            T scale = T.One / T.Sqrt(variance + eps);
            scale = v.HasWeight != 0 ? scale * v.Weight[c] : scale;
            v.Mean[c] = mean;
            v.Variance[c] = variance;
            v.Coefficients[c] = scale;
            v.Coefficients[v.Channels + c] = (v.HasBias != 0 ? v.Bias[c] : T.Zero) - (mean * scale);
        }
    }

    /// <summary>
    /// Per channel: Σ gy and Σ gy·(x - mean), the weight and bias gradients (when flagged), and
    /// gradX = gy·k1 + x·k2 + k3's coefficients (k2 in row 0, k3 in row 1, k1 in row 2).
    /// <paramref name="write"/>: 1 writes gradWeight, 2 gradBias, 3 both.
    /// </summary>
    public static void GradientSums<T>(BatchNormViews<T> v, ArrayView<T> gradY, ArrayView<T> gradWeight, ArrayView<T> gradBias, T eps, int write)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = GridLoop.Start; c < v.Channels; c += GridLoop.Step)
        {
            T n = T.Zero, sumG = T.Zero, sumGx = T.Zero, mean = v.Mean[c];
            for (int o = 0; o < v.Outer; o++)
            {
                for (int i = 0; i < v.Inner; i++)
                {
                    int at = (((o * v.Channels) + c) * v.Inner) + i;
                    sumG += gradY[at];
                    sumGx += gradY[at] * (v.X[at] - mean);
                    n += T.One;
                }
            }

            T rstd = T.One / T.Sqrt(v.Variance[c] + eps);
            T w = v.HasWeight != 0 ? v.Weight[c] : T.One;
            T k2 = -w * rstd * rstd * rstd * sumGx / n;
            v.Coefficients[c] = k2;
            v.Coefficients[v.Channels + c] = (-w * rstd * sumG / n) - (k2 * mean);
            v.Coefficients[(2 * v.Channels) + c] = w * rstd;
            if ((write & 1) != 0)
            {
                gradWeight[c] = sumGx * rstd;
            }

            if ((write & 2) != 0)
            {
                gradBias[c] = sumG;
            }
        }
    }

    /// <summary>y[e] = x[e]·row0[c] + row1[c] (+ by[e]·row2[c] when <paramref name="useBy"/>), c the element's channel.</summary>
    public static void Affine<T>(BatchNormViews<T> v, ArrayView<T> by, ArrayView<T> y, int useBy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int e = GridLoop.Start; e < y.IntLength; e += GridLoop.Step)
        {
            int c = (e / v.Inner) % v.Channels;
            T value = (v.X[e] * v.Coefficients[c]) + v.Coefficients[v.Channels + c];
            y[e] = useBy != 0 ? value + (by[e] * v.Coefficients[(2 * v.Channels) + c]) : value;
        }
    }
}
