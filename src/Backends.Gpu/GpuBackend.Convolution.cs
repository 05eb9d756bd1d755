using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>
/// Strided copies, the convolution layout kernels (convolution uses <see cref="BackendBase"/>'s
/// composition of them with the tiled GEMM), and pooling kernels of its own.
/// </summary>
public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            CopyStrided(F(x), layout, F(y));
        }
        else
        {
            CopyStrided(D(x), layout, D(y));
        }
    }

    /// <inheritdoc />
    public override void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Im2Col(F(x), geometry, group, (float)padValue, F(col));
        }
        else
        {
            Im2Col(D(x), geometry, group, padValue, D(col));
        }
    }

    /// <inheritdoc />
    public override void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x)
    {
        Bind();
        if (col.DType == DType.Float32)
        {
            Col2Im(F(col), geometry, group, F(x));
        }
        else
        {
            Col2Im(D(col), geometry, group, D(x));
        }
    }

    /// <inheritdoc />
    /// <remarks>One thread per output reads its window: no column matrix.</remarks>
    public override void Pool2d(PoolKind kind, DeviceBuffer x, in ConvGeometry geometry, DeviceBuffer y, DeviceBuffer? indices)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Pool2d(kind, F(x), geometry, F(y), indices is null ? null : F(indices));
        }
        else
        {
            Pool2d(kind, D(x), geometry, D(y), indices is null ? null : D(indices));
        }
    }

    /// <inheritdoc />
    /// <remarks>One thread per input element gathers the outputs whose window reads it: no atomics, no column matrix.</remarks>
    public override void Pool2dBackward(PoolKind kind, DeviceBuffer gradY, DeviceBuffer? indices, in ConvGeometry geometry, DeviceBuffer gradX)
    {
        Bind();
        if (kind == PoolKind.Max && indices is null)
        {
            throw new ArgumentNullException(nameof(indices), $"Pool2dBackward: max pooling needs the indices of its maxima on {Device}.");
        }

        if (gradY.DType == DType.Float32)
        {
            Pool2dBackward(kind, F(gradY), indices is null ? null : F(indices), geometry, F(gradX));
        }
        else
        {
            Pool2dBackward(kind, D(gradY), indices is null ? null : D(indices), geometry, D(gradX));
        }
    }

    private void Pool2d<T>(PoolKind kind, GpuBuffer<T> x, ConvGeometry g, GpuBuffer<T> y, GpuBuffer<T>? indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var launch = Elementwise(g.OutputSize);
        if (kind == PoolKind.Average)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ConvGeometry, T>(PoolKernels.Average)(launch, x.View, y.View, g, WindowScale<T>(g));
        }
        else if (indices is null)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ConvGeometry>(PoolKernels.Max)(launch, x.View, y.View, g);
        }
        else
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry>(PoolKernels.MaxWithIndices)(launch, x.View, y.View, indices.View, g);
        }
    }

    private void Pool2dBackward<T>(PoolKind kind, GpuBuffer<T> gradY, GpuBuffer<T>? indices, ConvGeometry g, GpuBuffer<T> gradX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var launch = Elementwise(g.InputSize);
        if (kind == PoolKind.Average)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ConvGeometry, T>(PoolKernels.AverageBackward)(launch, gradY.View, gradX.View, g, WindowScale<T>(g));
        }
        else
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry>(PoolKernels.MaxBackward)(launch, gradY.View, indices!.View, gradX.View, g);
        }
    }

    /// <summary>1 / (KernelH·KernelW): average pooling's share of each window element.</summary>
    private static T WindowScale<T>(in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.CreateTruncating(g.KernelH * g.KernelW);

    private void CopyStrided<T>(GpuBuffer<T> x, CopyLayout layout, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (layout.Count > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, CopyLayout>(LayoutKernels.CopyStrided)(Elementwise(layout.Count), x.View, y.View, layout);
        }
    }

    private void Im2Col<T>(GpuBuffer<T> x, ConvGeometry g, int group, T padValue, GpuBuffer<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long count = (long)g.ColumnRows * g.ColumnCols;
        if (count > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ConvGeometry, int, T>(ConvolutionKernels.Im2Col)(Elementwise(count), x.View, col.View, g, group, padValue);
        }
    }

    private void Col2Im<T>(GpuBuffer<T> col, ConvGeometry g, int group, GpuBuffer<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long count = (long)g.Batch * g.GroupChannels * g.Height * g.Width;
        if (count > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ConvGeometry, int>(ConvolutionKernels.Col2Im)(Elementwise(count), col.View, x.View, g, group);
        }
    }
}
