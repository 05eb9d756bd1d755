using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Batch normalization of x [outer, channels, inner]. Every step is a per-channel sum or a
/// per-channel affine map, so each runs over contiguous spans: for inner = 1 (input [N, C]) over
/// rows of channels with per-channel vectors, otherwise over each (n, c) run of inner elements.
/// The affine passes split over rows; the sums over blocks of channels.
/// </summary>
internal static class BatchNormKernels
{
    private const int ChannelBlock = 256;

    public static void Forward<T>(T[] x, T[]? weight, T[]? bias, int outer, int channels, int inner, T eps, T[] y, T[] mean, T[] variance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating((double)outer * inner);
        ChannelSums(x, null, outer, channels, inner, mean, 0, null);
        TensorPrimitives.Divide(mean, count, mean);
        ChannelSums(x, mean, outer, channels, inner, variance, 0, null);
        TensorPrimitives.Divide(variance, count, variance);

        // y = x·scale + shift per channel, scale = w·rstd and shift = b - mean·scale.
        var coefficients = ArrayPool<T>.Shared.Rent(2 * channels);
        try
        {
            var scale = coefficients.AsSpan(0, channels);
            var shift = coefficients.AsSpan(channels, channels);
            for (int c = 0; c < channels; c++)
            {
                T rstd = T.One / T.Sqrt(variance[c] + eps);
                scale[c] = weight is null ? rstd : weight[c] * rstd;
                shift[c] = (bias is null ? T.Zero : bias[c]) - (mean[c] * scale[c]);
            }

            Affine(x, null, coefficients, new(0, channels, -1), outer, channels, inner, y);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(coefficients);
        }
    }

    public static void Backward<T>(T[] gradY, T[] x, T[]? weight, T[] mean, T[] variance, int outer, int channels, int inner, T eps, T[] gradX, T[]? gradWeight, T[]? gradBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating((double)outer * inner);
        var scratch = ArrayPool<T>.Shared.Rent(5 * channels);
        try
        {
            // Per channel: Σ gy and Σ gy·(x - mean).
            var sumG = scratch.AsSpan(0, channels);
            var sumGx = scratch.AsSpan(channels, channels);
            ChannelSums(gradY, null, outer, channels, inner, scratch, 0, null);
            ChannelSums(x, mean, outer, channels, inner, scratch, channels, gradY);

            // gradX = gy·k1 + x·k2 + k3 with k1 = w·rstd, k2 = -w·rstd³·Σgy(x - mean)/count and
            // k3 = -w·rstd·Σgy/count - k2·mean: the usual rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)).
            var k1 = scratch.AsSpan(2 * channels, channels);
            var k2 = scratch.AsSpan(3 * channels, channels);
            var k3 = scratch.AsSpan(4 * channels, channels);
            for (int c = 0; c < channels; c++)
            {
                T rstd = T.One / T.Sqrt(variance[c] + eps);
                T w = weight is null ? T.One : weight[c];
                k1[c] = w * rstd;
                k2[c] = -w * rstd * rstd * rstd * sumGx[c] / count;
                k3[c] = (-w * rstd * sumG[c] / count) - (k2[c] * mean[c]);
                if (gradWeight is not null)
                {
                    gradWeight[c] = sumGx[c] * rstd;
                }

                if (gradBias is not null)
                {
                    gradBias[c] = sumG[c];
                }
            }

            Affine(x, gradY, scratch, new(3 * channels, 4 * channels, 2 * channels), outer, channels, inner, gradX);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// sums[c] = Σ over n, i of f(x[n, c, i]): x itself, or (x - center[c]) when a center is given,
    /// times <paramref name="by"/>[n, c, i] when given.
    /// </summary>
    private static void ChannelSums<T>(T[] x, T[]? center, int outer, int channels, int inner, T[] sums, int at, T[]? by)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int blocks = (channels + ChannelBlock - 1) / ChannelBlock;
        CpuParallel.For(blocks, 1, (X: x, Center: center, By: by, Outer: outer, Channels: channels, Inner: inner, Sums: sums, At: at), static (s, start, end) =>
        {
            Span<T> deviation = stackalloc T[ChannelBlock];
            for (long block = start; block < end; block++)
            {
                int first = (int)block * ChannelBlock, width = Math.Min(ChannelBlock, s.Channels - first);
                var acc = s.Sums.AsSpan(s.At + first, width);
                acc.Clear();
                for (int n = 0; n < s.Outer; n++)
                {
                    if (s.Inner == 1)
                    {
                        var row = s.X.AsSpan((n * s.Channels) + first, width);
                        var center = s.Center is null ? default : s.Center.AsSpan(first, width);
                        var by = s.By is null ? default : s.By.AsSpan((n * s.Channels) + first, width);
                        AddTerm(row, center, by, deviation[..width], acc);
                        continue;
                    }

                    for (int c = 0; c < width; c++)
                    {
                        int at = ((n * s.Channels) + first + c) * s.Inner;
                        var run = s.X.AsSpan(at, s.Inner);
                        acc[c] += s.Center is null ? TensorPrimitives.Sum<T>(run) : Deviations(run, s.Center[first + c], s.By is null ? run : s.By.AsSpan(at, s.Inner), s.By is null);
                    }
                }
            }
        });
    }

    /// <summary>acc += x, or (x - center)², or (x - center)·by, elementwise over one row of channels.</summary>
    private static void AddTerm<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> center, ReadOnlySpan<T> by, Span<T> deviation, Span<T> acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (center.IsEmpty)
        {
            TensorPrimitives.Add(acc, x, acc);
            return;
        }

        TensorPrimitives.Subtract(x, center, deviation);
        TensorPrimitives.MultiplyAdd(deviation, by.IsEmpty ? deviation : by, acc, acc);
    }

    /// <summary>Σ (x - center)² when <paramref name="square"/>, else Σ (x - center)·by.</summary>
    private static T Deviations<T>(ReadOnlySpan<T> x, T center, ReadOnlySpan<T> by, bool square)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vc = Vector256.Create(center);
        var acc = Vector256<T>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
        {
            var d = Vector256.Create<T>(x[i..]) - vc;
            acc += d * (square ? d : Vector256.Create<T>(by[i..]));
        }

        T sum = Vector256.Sum(acc);
        for (; i < x.Length; i++)
        {
            T d = x[i] - center;
            sum += d * (square ? d : by[i]);
        }

        return sum;
    }

    /// <summary>
    /// y = x·scale[c] + shift[c] (+ by·k[c] when <paramref name="by"/> is given), the per-channel
    /// coefficients read from <paramref name="coefficients"/> where <paramref name="at"/> says.
    /// </summary>
    private static void Affine<T>(T[] x, T[]? by, T[] coefficients, CoefficientOffsets at, int outer, int channels, int inner, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var state = (X: x, By: by, Coefficients: coefficients, At: at, Channels: channels, Inner: inner, Y: y);
        CpuParallel.For(outer, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, channels * inner)), state, static (s, start, end) =>
        {
            var scale = s.Coefficients.AsSpan(s.At.Scale, s.Channels);
            var shift = s.Coefficients.AsSpan(s.At.Shift, s.Channels);
            var k = s.By is null ? default : s.Coefficients.AsSpan(s.At.K, s.Channels);
            for (long n = start; n < end; n++)
            {
                if (s.Inner == 1)
                {
                    int offset = (int)(n * s.Channels);
                    var yr = s.Y.AsSpan(offset, s.Channels);
                    TensorPrimitives.MultiplyAdd(s.X.AsSpan(offset, s.Channels), scale, shift, yr);
                    if (s.By is not null)
                    {
                        TensorPrimitives.MultiplyAdd(s.By.AsSpan(offset, s.Channels), k, yr, yr);
                    }

                    continue;
                }

                for (int c = 0; c < s.Channels; c++)
                {
                    int offset = (int)(((n * s.Channels) + c) * s.Inner);
                    var yr = s.Y.AsSpan(offset, s.Inner);
                    TensorPrimitives.Multiply(s.X.AsSpan(offset, s.Inner), scale[c], yr);
                    TensorPrimitives.Add(yr, shift[c], yr);
                    if (s.By is not null)
                    {
                        TensorPrimitives.MultiplyAdd(s.By.AsSpan(offset, s.Inner), k[c], yr, yr);
                    }
                }
            }
        });
    }

    /// <summary>Where the scale, shift and gradient factor of each channel start in the coefficient array (K is -1 when unused).</summary>
    private readonly record struct CoefficientOffsets(int Scale, int Shift, int K);
}
