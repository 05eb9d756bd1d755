using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Fused optimizer steps: parameters and state never leave the device.</summary>
public sealed partial class GpuBackend
{
    /// <inheritdoc />
    public override void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, in SgdUpdate update)
    {
        Bind();
        if (parameter.DType == DType.Float32)
        {
            Sgd(F(parameter), F(gradient), velocity is null ? null : F(velocity), new SgdCoefficients<float>(update, velocity is not null));
        }
        else
        {
            Sgd(D(parameter), D(gradient), velocity is null ? null : D(velocity), new SgdCoefficients<double>(update, velocity is not null));
        }
    }

    /// <inheritdoc />
    public override void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update)
    {
        Bind();
        if (parameter.DType == DType.Float32)
        {
            Adam(F(parameter), F(gradient), F(firstMoment), F(secondMoment), new AdamCoefficients<float>(update));
        }
        else
        {
            Adam(D(parameter), D(gradient), D(firstMoment), D(secondMoment), new AdamCoefficients<double>(update));
        }
    }

    private void Sgd<T>(GpuBuffer<T> parameter, GpuBuffer<T> gradient, GpuBuffer<T>? velocity, SgdCoefficients<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameter.Length > 0)
        {
            var state = velocity?.View ?? parameter.View.SubView(0, 0);
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, SgdCoefficients<T>>(OptimizerKernels.Sgd)(Elementwise(parameter.Length), parameter.View, gradient.View, state, k);
        }
    }

    private void Adam<T>(GpuBuffer<T> parameter, GpuBuffer<T> gradient, GpuBuffer<T> firstMoment, GpuBuffer<T> secondMoment, AdamCoefficients<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameter.Length > 0)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, AdamCoefficients<T>>(OptimizerKernels.Adam)(
                Elementwise(parameter.Length), parameter.View, gradient.View, firstMoment.View, secondMoment.View, k);
        }
    }
}
