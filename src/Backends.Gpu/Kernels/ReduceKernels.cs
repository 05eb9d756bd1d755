using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// Reductions of x viewed as [outer, axis, inner] along the middle dimension, and the indexing
/// kernels of the same view (argmax, scatter). A thread per output when there are many outputs;
/// a group per output with a shared-memory tree when a few outputs each reduce a long axis.
/// </summary>
internal static class ReduceKernels
{
    public static void PerThread<T, TOp>(ArrayView<T> x, ArrayView<T> y, int axis, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOperator<T>
    {
        for (int o = GridLoop.Start; o < y.IntLength; o += GridLoop.Step)
        {
            int start = ((o / inner) * axis * inner) + (o % inner);
            T acc = TOp.Identity;
            for (int a = 0; a < axis; a++)
            {
                acc = TOp.Combine(acc, x[start + (a * inner)]);
            }

            y[o] = acc;
        }
    }

    /// <summary>Each group reduces whole outputs; needs a power-of-two group size of at most <see cref="GroupLimits.MaxThreads"/>.</summary>
    public static void PerGroup<T, TOp>(ArrayView<T> x, ArrayView<T> y, int axis, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOperator<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupLimits.MaxThreads);
        for (int o = Grid.IdxX; o < y.IntLength; o += Grid.DimX)
        {
            int start = ((o / inner) * axis * inner) + (o % inner);
            T acc = TOp.Identity;
            for (int a = Group.IdxX; a < axis; a += Group.DimX)
            {
                acc = TOp.Combine(acc, x[start + (a * inner)]);
            }

            T total = GroupReduce<T, TOp>(shared, acc);
            if (Group.IdxX == 0)
            {
                y[o] = total;
            }
        }
    }

    /// <summary>partials[group] = Σ x[i]² over the elements the group visits; the host adds the partials in double.</summary>
    public static void SquarePartials<T>(ArrayView<T> x, ArrayView<T> partials)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupLimits.MaxThreads);
        T acc = T.Zero;
        for (int i = GridLoop.Start; i < x.IntLength; i += GridLoop.Step)
        {
            acc += x[i] * x[i];
        }

        T total = GroupReduce<T, SumReduction<T>>(shared, acc);
        if (Group.IdxX == 0)
        {
            partials[Grid.IdxX] = total;
        }
    }

    /// <summary>
    /// Index of the first maximum along the axis; a NaN counts as the maximum, as on the CPU
    /// backend. Indices are counted in T (exact below 2²⁴ in float32).
    /// </summary>
    public static void ArgMax<T>(ArrayView<T> x, ArrayView<T> indices, int axis, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = GridLoop.Start; o < indices.IntLength; o += GridLoop.Step)
        {
            int start = ((o / inner) * axis * inner) + (o % inner);
            T best = x[start], bestIndex = T.Zero, index = T.Zero;
            for (int a = 1; a < axis; a++)
            {
                index += T.One;
                T v = x[start + (a * inner)];
                if (v > best || (T.IsNaN(v) && !T.IsNaN(best)))
                {
                    best = v;
                    bestIndex = index;
                }
            }

            indices[o] = bestIndex;
        }
    }

    /// <summary>
    /// y[o, a, i] = source[o, i] where indices[o, i] == a, else 0: a thread per (o, i) writes its
    /// whole column, so no two threads write one place. An index outside [0, axis) leaves the column zero.
    /// </summary>
    public static void Scatter<T>(ArrayView<T> source, ArrayView<T> indices, ArrayView<T> y, int axis, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int s = GridLoop.Start; s < source.IntLength; s += GridLoop.Step)
        {
            int start = ((s / inner) * axis * inner) + (s % inner);
            T target = indices[s], index = T.Zero;
            for (int a = 0; a < axis; a++)
            {
                y[start + (a * inner)] = index == target ? source[s] : T.Zero;
                index += T.One;
            }
        }
    }

    /// <summary>Tree reduction of one value per thread over the group; every thread gets the total.</summary>
    private static T GroupReduce<T, TOp>(ArrayView<T> shared, T value)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOperator<T>
    {
        int t = Group.IdxX;
        shared[t] = value;
        GroupBarrier.Sync();
        for (int stride = Group.DimX / 2; stride > 0; stride /= 2)
        {
            if (t < stride)
            {
                shared[t] = TOp.Combine(shared[t], shared[t + stride]);
            }

            GroupBarrier.Sync();
        }

        T total = shared[0];
        GroupBarrier.Sync();
        return total;
    }
}
