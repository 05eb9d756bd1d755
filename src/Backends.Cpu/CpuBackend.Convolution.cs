using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Backends.Cpu;

/// <summary>Strided copies and the convolution layout kernels.</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public override void CopyStrided(DeviceBuffer x, in CopyLayout layout, DeviceBuffer y)
    {
        if (x.DType == DType.Float32)
        {
            LayoutKernels.CopyStrided(F(x), layout, F(y));
        }
        else
        {
            LayoutKernels.CopyStrided(D(x), layout, D(y));
        }
    }

    /// <inheritdoc />
    public override void Im2Col(DeviceBuffer x, in ConvGeometry geometry, int group, double padValue, DeviceBuffer col)
    {
        if (x.DType == DType.Float32)
        {
            ConvolutionKernels.Im2Col(F(x), geometry, group, (float)padValue, F(col));
        }
        else
        {
            ConvolutionKernels.Im2Col(D(x), geometry, group, padValue, D(col));
        }
    }

    /// <inheritdoc />
    public override void Col2Im(DeviceBuffer col, in ConvGeometry geometry, int group, DeviceBuffer x)
    {
        if (col.DType == DType.Float32)
        {
            ConvolutionKernels.Col2Im(F(col), geometry, group, F(x));
        }
        else
        {
            ConvolutionKernels.Col2Im(D(col), geometry, group, D(x));
        }
    }
}
