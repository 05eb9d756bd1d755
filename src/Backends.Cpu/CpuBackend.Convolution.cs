using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Backends.Cpu;

/// <summary>Strided copies, the convolution layout kernels, convolution one image per GEMM, direct pooling.</summary>
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

    /// <inheritdoc />
    /// <remarks>Images split over the cores, one GEMM per image and group (<see cref="ConvolutionGemm"/>).</remarks>
    public override void Conv2d(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer? bias, in ConvGeometry geometry, DeviceBuffer y)
    {
        var scratch = Allocate(ConvolutionGemm.SharedForwardScratch(geometry) + (ConvolutionGemm.Parts(geometry) * ConvolutionGemm.ForwardScratch(geometry)), x.DType);
        try
        {
            if (x.DType == DType.Float32)
            {
                ConvolutionGemm.Forward(F(x), F(weight), FOrNull(bias), geometry, F(y), F(scratch));
            }
            else
            {
                ConvolutionGemm.Forward(D(x), D(weight), DOrNull(bias), geometry, D(y), D(scratch));
            }
        }
        finally
        {
            Release(scratch);
        }
    }

    /// <inheritdoc />
    public override void Conv2dBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer weight, in ConvGeometry geometry, DeviceBuffer? gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        var scratch = Allocate(ConvolutionGemm.SharedBackwardScratch(geometry) + (ConvolutionGemm.Parts(geometry) * ConvolutionGemm.BackwardScratch(geometry)), x.DType);
        try
        {
            if (x.DType == DType.Float32)
            {
                ConvolutionGemm.Backward(F(gradY), F(x), F(weight), geometry, FOrNull(gradX), FOrNull(gradWeight), FOrNull(gradBias), F(scratch));
            }
            else
            {
                ConvolutionGemm.Backward(D(gradY), D(x), D(weight), geometry, DOrNull(gradX), DOrNull(gradWeight), DOrNull(gradBias), D(scratch));
            }
        }
        finally
        {
            Release(scratch);
        }
    }

    /// <inheritdoc />
    public override void Pool2d(PoolKind kind, DeviceBuffer x, in ConvGeometry geometry, DeviceBuffer y, DeviceBuffer? indices)
    {
        if (x.DType == DType.Float32)
        {
            PoolKernels.Forward(kind, F(x), geometry, F(y), FOrNull(indices));
        }
        else
        {
            PoolKernels.Forward(kind, D(x), geometry, D(y), DOrNull(indices));
        }
    }

    /// <inheritdoc />
    public override void Pool2dBackward(PoolKind kind, DeviceBuffer gradY, DeviceBuffer? indices, in ConvGeometry geometry, DeviceBuffer gradX)
    {
        if (gradY.DType == DType.Float32)
        {
            PoolKernels.Backward(kind, F(gradY), FOrNull(indices), geometry, F(gradX));
        }
        else
        {
            PoolKernels.Backward(kind, D(gradY), DOrNull(indices), geometry, D(gradX));
        }
    }
}
