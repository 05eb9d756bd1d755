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
