using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Strided copies and the convolution layout kernels; convolution and pooling use <see cref="BackendBase"/>'s compositions of them with the tiled GEMM and the reductions.</summary>
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
