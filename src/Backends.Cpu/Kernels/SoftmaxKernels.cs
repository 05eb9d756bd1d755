using System.Numerics;
using System.Numerics.Tensors;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Fused row-wise softmax, log-softmax and softmax cross-entropy (forward and backward).</summary>
internal static class SoftmaxKernels
{
    /// <summary>Softmax or log-softmax of each row of x [rows, cols].</summary>
    public static void Rows<T>(T[] x, int rows, int cols, bool log, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(rows, RowGrain(cols), (X: x, Y: y, Cols: cols, Log: log), static (s, start, end) =>
        {
            for (long r = start; r < end; r++)
            {
                var xs = s.X.AsSpan((int)(r * s.Cols), s.Cols);
                var ys = s.Y.AsSpan((int)(r * s.Cols), s.Cols);
                var (max, logSum) = ShiftedExp(xs, ys);
                if (s.Log)
                {
                    // (x − max) − logSum: rounding max + logSum first loses up to half an ulp of max.
                    TensorPrimitives.Subtract(xs, max, ys);
                    TensorPrimitives.Subtract(ys, logSum, ys);
                }
                else
                {
                    TensorPrimitives.Multiply(ys, T.One / T.Exp(logSum), ys);
                }
            }
        });
    }

    public static void CrossEntropy<T>(T[] logits, T[] labels, int rows, int classes, T[] losses, T[] probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T label = labels[r];
            if (!T.IsInteger(label) || label < T.Zero || label >= T.CreateTruncating(classes))
            {
                throw new ArgumentException($"CrossEntropy: class id {label} in row {r} is not an integer in [0, {classes}) (logits [{rows}, {classes}] on cpu).");
            }
        }

        CpuParallel.For(rows, RowGrain(classes), (X: logits, L: labels, Loss: losses, P: probabilities, C: classes), static (s, start, end) =>
        {
            for (long r = start; r < end; r++)
            {
                var xs = s.X.AsSpan((int)(r * s.C), s.C);
                var ps = s.P.AsSpan((int)(r * s.C), s.C);
                var (max, logSum) = ShiftedExp(xs, ps);
                TensorPrimitives.Multiply(ps, T.One / T.Exp(logSum), ps);
                s.Loss[r] = logSum - (xs[int.CreateTruncating(s.L[r])] - max);
            }
        });
    }

    public static void CrossEntropyBackward<T>(T[] probabilities, T[] labels, T[] gradLosses, int rows, int classes, T[] gradLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(rows, RowGrain(classes), (P: probabilities, L: labels, G: gradLosses, Out: gradLogits, C: classes), static (s, start, end) =>
        {
            for (long r = start; r < end; r++)
            {
                var gs = s.Out.AsSpan((int)(r * s.C), s.C);
                TensorPrimitives.Multiply(s.P.AsSpan((int)(r * s.C), s.C), s.G[r], gs);
                gs[int.CreateTruncating(s.L[r])] -= s.G[r];
            }
        });
    }

    /// <summary>Writes exp(x - max) into e and returns max and log Σ exp(x - max).</summary>
    private static (T Max, T LogSum) ShiftedExp<T>(ReadOnlySpan<T> x, Span<T> e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(x);
        if (T.IsInfinity(max))
        {
            max = T.Zero;
        }

        TensorPrimitives.Subtract(x, max, e);
        TensorPrimitives.Exp(e, e);
        return (max, T.Log(TensorPrimitives.Sum<T>(e)));
    }

    private static long RowGrain(int cols) => Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, cols));
}
