using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Backends.Cpu;

/// <summary>Layer and batch normalization.</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public override void BatchNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int outer, int channels, int inner, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer variance)
    {
        if (x.DType == DType.Float32)
        {
            BatchNormKernels.Forward(F(x), FOrNull(weight), FOrNull(bias), outer, channels, inner, (float)eps, F(y), F(mean), F(variance));
        }
        else
        {
            BatchNormKernels.Forward(D(x), DOrNull(weight), DOrNull(bias), outer, channels, inner, eps, D(y), D(mean), D(variance));
        }
    }

    /// <inheritdoc />
    public override void BatchNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer variance, int outer, int channels, int inner, double eps, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        if (x.DType == DType.Float32)
        {
            BatchNormKernels.Backward(F(gradY), F(x), FOrNull(weight), F(mean), F(variance), outer, channels, inner, (float)eps, F(gradX), FOrNull(gradWeight), FOrNull(gradBias));
        }
        else
        {
            BatchNormKernels.Backward(D(gradY), D(x), DOrNull(weight), D(mean), D(variance), outer, channels, inner, eps, D(gradX), DOrNull(gradWeight), DOrNull(gradBias));
        }
    }

    /// <inheritdoc />
    public override void LayerNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int rows, int cols, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer rstd)
    {
        if (x.DType == DType.Float32)
        {
            NormalizationKernels.LayerNorm(F(x), FOrNull(weight), FOrNull(bias), rows, cols, (float)eps, F(y), F(mean), F(rstd));
        }
        else
        {
            NormalizationKernels.LayerNorm(D(x), DOrNull(weight), DOrNull(bias), rows, cols, eps, D(y), D(mean), D(rstd));
        }
    }

    /// <inheritdoc />
    public override void LayerNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer rstd, int rows, int cols, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        if (x.DType == DType.Float32)
        {
            NormalizationKernels.LayerNormBackward(F(gradY), F(x), FOrNull(weight), F(mean), F(rstd), rows, cols, F(gradX), FOrNull(gradWeight), FOrNull(gradBias));
        }
        else
        {
            NormalizationKernels.LayerNormBackward(D(gradY), D(x), DOrNull(weight), D(mean), D(rstd), rows, cols, D(gradX), DOrNull(gradWeight), DOrNull(gradBias));
        }
    }
}
