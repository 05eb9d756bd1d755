using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Reductions along an axis, argmax, scatter and the squared norm.</summary>
public sealed partial class GpuBackend
{
    /// <summary>Below this many outputs a long axis is reduced by whole groups rather than single threads.</summary>
    private int FewOutputs => maxGroups * groupSize / 4;

    /// <summary>
    /// Elements each thread squares and sums in the element type before its group's partial goes to
    /// the host, which adds the partials in double: the CPU backend's chunked accuracy.
    /// </summary>
    private const int SquaresPerThread = 256;

    /// <inheritdoc />
    public override void Reduce(ReduceOp op, DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Reduce(op, F(x), axis, inner, F(y));
        }
        else
        {
            Reduce(op, D(x), axis, inner, D(y));
        }
    }

    /// <inheritdoc />
    public override void ArgMax(DeviceBuffer x, int outer, int axis, int inner, DeviceBuffer indices)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            ArgMax(F(x), axis, inner, F(indices));
        }
        else
        {
            ArgMax(D(x), axis, inner, D(indices));
        }
    }

    /// <inheritdoc />
    public override void ScatterAlongAxis(DeviceBuffer source, DeviceBuffer indices, int outer, int axis, int inner, DeviceBuffer y)
    {
        Bind();
        if (source.DType == DType.Float32)
        {
            Scatter(F(source), F(indices), axis, inner, F(y));
        }
        else
        {
            Scatter(D(source), D(indices), axis, inner, D(y));
        }
    }

    /// <inheritdoc />
    public override double SumOfSquares(DeviceBuffer x)
    {
        Bind();
        return x.DType == DType.Float32 ? SumOfSquares(F(x)) : SumOfSquares(D(x));
    }

    private void Reduce<T>(ReduceOp op, GpuBuffer<T> x, int axis, int inner, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: Reduce<T, SumReduction<T>>(x, axis, inner, y); break;
            case ReduceOp.Max: Reduce<T, MaxReduction<T>>(x, axis, inner, y); break;
            default: throw new NotSupportedException($"Reduction {op} is not implemented on {Device}.");
        }
    }

    private void Reduce<T, TOp>(GpuBuffer<T> x, int axis, int inner, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IReduceOperator<T>
    {
        if (y.Length == 0)
        {
            return;
        }

        if (y.Length < FewOutputs && axis >= groupSize)
        {
            var config = Groups((int)Math.Min(y.Length, maxGroups), groupSize);
            kernels.Get<ArrayView<T>, ArrayView<T>, int, int>(ReduceKernels.PerGroup<T, TOp>)(config, x.View, y.View, axis, inner);
        }
        else
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, int, int>(ReduceKernels.PerThread<T, TOp>)(Elementwise(y.Length), x.View, y.View, axis, inner);
        }
    }

    private void ArgMax<T>(GpuBuffer<T> x, int axis, int inner, GpuBuffer<T> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (indices.Length > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, int, int>(ReduceKernels.ArgMax)(Elementwise(indices.Length), x.View, indices.View, axis, inner);
        }
    }

    private void Scatter<T>(GpuBuffer<T> source, GpuBuffer<T> indices, int axis, int inner, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>(ReduceKernels.Scatter)(Elementwise(source.Length), source.View, indices.View, y.View, axis, inner);
        }
    }

    private double SumOfSquares<T>(GpuBuffer<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0)
        {
            return 0;
        }

        int groups = (int)Math.Min(ushort.MaxValue, ((x.Length / SquaresPerThread) + groupSize) / groupSize);
        var partials = pool.Rent<T>(groups, x.DType);
        try
        {
            kernels.Get<ArrayView<T>, ArrayView<T>>(ReduceKernels.SquarePartials)(Groups(groups, groupSize), x.View, partials.View);
            return staging.Sum<T>(partials.View, Stream);
        }
        finally
        {
            pool.Return(partials);
        }
    }
}
