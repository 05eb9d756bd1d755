using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Layer and batch normalization.</summary>
public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override void LayerNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int rows, int cols, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer rstd)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            LayerNorm(Views(F(x), weight is null ? null : F(weight), bias is null ? null : F(bias), F(mean), F(rstd), rows, cols), F(y), (float)eps);
        }
        else
        {
            LayerNorm(Views(D(x), weight is null ? null : D(weight), bias is null ? null : D(bias), D(mean), D(rstd), rows, cols), D(y), eps);
        }
    }

    /// <inheritdoc />
    public override void LayerNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer rstd, int rows, int cols, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            var views = Views(F(x), weight is null ? null : F(weight), null, F(mean), F(rstd), rows, cols);
            LayerNormBackward(views, F(gradY), F(gradX), gradWeight is null ? null : F(gradWeight), gradBias is null ? null : F(gradBias));
        }
        else
        {
            var views = Views(D(x), weight is null ? null : D(weight), null, D(mean), D(rstd), rows, cols);
            LayerNormBackward(views, D(gradY), D(gradX), gradWeight is null ? null : D(gradWeight), gradBias is null ? null : D(gradBias));
        }
    }

    /// <inheritdoc />
    public override void BatchNorm(DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, int outer, int channels, int inner, double eps, DeviceBuffer y, DeviceBuffer mean, DeviceBuffer variance)
    {
        Bind();
        var coefficients = Allocate(3L * channels, x.DType);
        try
        {
            if (x.DType == DType.Float32)
            {
                BatchNorm(BatchViews(F(x), weight is null ? null : F(weight), bias is null ? null : F(bias), F(mean), F(variance), F(coefficients), outer, channels, inner), F(y), (float)eps);
            }
            else
            {
                BatchNorm(BatchViews(D(x), weight is null ? null : D(weight), bias is null ? null : D(bias), D(mean), D(variance), D(coefficients), outer, channels, inner), D(y), eps);
            }
        }
        finally
        {
            Release(coefficients);
        }
    }

    /// <inheritdoc />
    public override void BatchNormBackward(DeviceBuffer gradY, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer mean, DeviceBuffer variance, int outer, int channels, int inner, double eps, DeviceBuffer gradX, DeviceBuffer? gradWeight, DeviceBuffer? gradBias)
    {
        Bind();
        var coefficients = Allocate(3L * channels, x.DType);
        try
        {
            if (x.DType == DType.Float32)
            {
                var views = BatchViews(F(x), weight is null ? null : F(weight), null, F(mean), F(variance), F(coefficients), outer, channels, inner);
                BatchNormBackward(views, F(gradY), F(gradX), gradWeight is null ? null : F(gradWeight), gradBias is null ? null : F(gradBias), (float)eps);
            }
            else
            {
                var views = BatchViews(D(x), weight is null ? null : D(weight), null, D(mean), D(variance), D(coefficients), outer, channels, inner);
                BatchNormBackward(views, D(gradY), D(gradX), gradWeight is null ? null : D(gradWeight), gradBias is null ? null : D(gradBias), eps);
            }
        }
        finally
        {
            Release(coefficients);
        }
    }

    /// <summary>The kernels' view of one batch normalization; an absent weight or bias is flagged off and stands in as the mean's view.</summary>
    private static BatchNormViews<T> BatchViews<T>(GpuBuffer<T> x, GpuBuffer<T>? weight, GpuBuffer<T>? bias, GpuBuffer<T> mean, GpuBuffer<T> variance, GpuBuffer<T> coefficients, int outer, int channels, int inner)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(x.View, (weight ?? mean).View, (bias ?? mean).View, mean.View, variance.View, coefficients.View, outer, channels, inner, weight is not null, bias is not null);

    private void BatchNorm<T>(BatchNormViews<T> views, GpuBuffer<T> y, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length > 0)
        {
            kernels.Get<BatchNormViews<T>, T>(BatchNormKernels.Statistics)(Elementwise(views.Channels), views, eps);
            kernels.Get<BatchNormViews<T>, ArrayView<T>, ArrayView<T>, int>(BatchNormKernels.Affine)(Elementwise(y.Length), views, y.View, y.View, 0);
        }
    }

    private void BatchNormBackward<T>(BatchNormViews<T> views, GpuBuffer<T> gradY, GpuBuffer<T> gradX, GpuBuffer<T>? gradWeight, GpuBuffer<T>? gradBias, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradX.Length > 0)
        {
            kernels.Get<BatchNormViews<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, int>(BatchNormKernels.GradientSums)(
                Elementwise(views.Channels), views, gradY.View, (gradWeight ?? gradX).View, (gradBias ?? gradX).View, eps, (gradWeight is null ? 0 : 1) | (gradBias is null ? 0 : 2));
            kernels.Get<BatchNormViews<T>, ArrayView<T>, ArrayView<T>, int>(BatchNormKernels.Affine)(Elementwise(gradX.Length), views, gradY.View, gradX.View, 1);
        }
    }

    /// <summary>The kernels' view of one layer normalization; an absent weight or bias is flagged off and stands in as the mean's view.</summary>
    private static LayerNormViews<T> Views<T>(GpuBuffer<T> x, GpuBuffer<T>? weight, GpuBuffer<T>? bias, GpuBuffer<T> mean, GpuBuffer<T> rstd, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(x.View, (weight ?? mean).View, (bias ?? mean).View, mean.View, rstd.View, rows, cols, weight is not null, bias is not null);

    private void LayerNorm<T>(LayerNormViews<T> views, GpuBuffer<T> y, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (views.Rows > 0 && views.Cols > 0)
        {
            kernels.Get<LayerNormViews<T>, ArrayView<T>, T>(NormalizationKernels.LayerNorm)(Elementwise(views.Rows), views, y.View, eps);
        }
    }

    private void LayerNormBackward<T>(LayerNormViews<T> views, GpuBuffer<T> gradY, GpuBuffer<T> gradX, GpuBuffer<T>? gradWeight, GpuBuffer<T>? gradBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (views.Rows == 0 || views.Cols == 0)
        {
            return;
        }

        kernels.Get<LayerNormViews<T>, ArrayView<T>, ArrayView<T>>(NormalizationKernels.LayerNormInputGradient)(Elementwise(views.Rows), views, gradY.View, gradX.View);
        if (gradWeight is not null || gradBias is not null)
        {
            var flagged = new LayerNormViews<T>(views.X, views.Weight, views.Bias, views.Mean, views.Rstd, views.Rows, views.Cols, gradWeight is not null, gradBias is not null);
            kernels.Get<LayerNormViews<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>(NormalizationKernels.LayerNormParameterGradients)(
                Elementwise(views.Cols), flagged, gradY.View, (gradWeight ?? gradX).View, (gradBias ?? gradX).View);
        }
    }
}
