using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>Stable softmax along the middle axis of [outer, axis, inner], and the fused softmax cross-entropy pair; one thread per row.</summary>
internal static class SoftmaxKernels
{
    public static void Softmax<T>(ArrayView<T> x, ArrayView<T> y, int rows, int axis, int inner, int log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = GridLoop.Start; row < rows; row += GridLoop.Step)
        {
            int start = ((row / inner) * axis * inner) + (row % inner);
            T max = RowMax(x, start, axis, inner);
            T sum = T.Zero;
            for (int a = 0; a < axis; a++)
            {
                sum += T.Exp(x[start + (a * inner)] - max);
            }

            T logSum = T.Log(sum);
            for (int a = 0; a < axis; a++)
            {
                int at = start + (a * inner);
                y[at] = log != 0 ? (x[at] - max) - logSum : T.Exp(x[at] - max) / sum;
            }
        }
    }

    /// <summary>
    /// losses[r] = -log softmax(logits[r])[label r]; probabilities = softmax(logits). A label that is
    /// not an integer in [0, classes) matches no class: its loss is NaN and invalid[0] is set to 1
    /// (the host cleared it), so the host can find and report the row. Classes are counted in T.
    /// </summary>
    public static void CrossEntropy<T>(ArrayView<T> logits, ArrayView<T> labels, ArrayView<T> losses, ArrayView<T> probabilities, ArrayView<int> invalid, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = GridLoop.Start; r < losses.IntLength; r += GridLoop.Step)
        {
            int start = r * classes;
            T max = RowMax(logits, start, classes, 1);
            T sum = T.Zero, picked = T.NaN, label = labels[r], index = T.Zero;
            bool found = false;
            for (int c = 0; c < classes; c++)
            {
                T logit = logits[start + c];
                T e = T.Exp(logit - max);
                probabilities[start + c] = e;
                sum += e;
                if (index == label)
                {
                    picked = logit;
                    found = true;
                }

                index += T.One;
            }

            for (int c = 0; c < classes; c++)
            {
                probabilities[start + c] /= sum;
            }

            losses[r] = T.Log(sum) - (picked - max);
            if (!found)
            {
                invalid[0] = 1;
            }
        }
    }

    /// <summary>gradLogits[r, c] = (probabilities[r, c] - [c == label r]) · gradLosses[r]; a thread per row.</summary>
    public static void CrossEntropyBackward<T>(ArrayView<T> probabilities, ArrayView<T> labels, ArrayView<T> gradLosses, ArrayView<T> gradLogits, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = GridLoop.Start; r < gradLosses.IntLength; r += GridLoop.Step)
        {
            T label = labels[r], scale = gradLosses[r], index = T.Zero;
            for (int c = r * classes; c < (r + 1) * classes; c++)
            {
                gradLogits[c] = (probabilities[c] - (index == label ? T.One : T.Zero)) * scale;
                index += T.One;
            }
        }
    }

    private static T RowMax<T>(ArrayView<T> x, int start, int axis, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        for (int a = 0; a < axis; a++)
        {
            max = MaxReduction<T>.Combine(max, x[start + (a * inner)]);
        }

        return max;
    }
}
