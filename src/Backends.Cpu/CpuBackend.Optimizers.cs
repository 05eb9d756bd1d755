using TensorGrad.Backends.Cpu.Gemm;
using TensorGrad.Backends.Cpu.Kernels;

namespace TensorGrad.Backends.Cpu;

/// <summary>The optimizer steps and the squared norm: one pass each (<see cref="OptimizerKernels"/>).</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public override double SumOfSquares(DeviceBuffer x) =>
        x.DType == DType.Float32 ? OptimizerKernels.SumOfSquares(F(x)) : OptimizerKernels.SumOfSquares(D(x));

    /// <inheritdoc />
    public override void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, in SgdUpdate update)
    {
        if (parameter.DType == DType.Float32)
        {
            OptimizerKernels.Sgd(F(parameter), F(gradient), FOrNull(velocity), update);
        }
        else
        {
            OptimizerKernels.Sgd(D(parameter), D(gradient), DOrNull(velocity), update);
        }
    }

    /// <inheritdoc />
    public override void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update)
    {
        if (parameter.DType == DType.Float32)
        {
            OptimizerKernels.Adam(F(parameter), F(gradient), F(firstMoment), F(secondMoment), update);
        }
        else
        {
            OptimizerKernels.Adam(D(parameter), D(gradient), D(firstMoment), D(secondMoment), update);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Batches of 1 to <see cref="GemmOuter.MaxDepth"/> rows (where the step is bound by memory
    /// traffic) make each gradient row in L1 as <see cref="GemmOuter"/> would and update from it,
    /// never writing the gradient; other products (and a weight with one row or one column, which
    /// <see cref="GemmVector"/> would compute) go through a temporary.
    /// </remarks>
    public override void SgdStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer? velocity, in SgdUpdate update)
    {
        if (!Fuses(gradient))
        {
            base.SgdStep(parameter, gradient, velocity, update);
        }
        else if (parameter.DType == DType.Float32)
        {
            OptimizerKernels.Sgd(F(parameter), Product<float>(gradient), FOrNull(velocity), update);
        }
        else
        {
            OptimizerKernels.Sgd(D(parameter), Product<double>(gradient), DOrNull(velocity), update);
        }
    }

    /// <inheritdoc />
    /// <remarks>Fused as <see cref="SgdStep(DeviceBuffer, in LinearWeightGradient, DeviceBuffer?, in SgdUpdate)"/> is.</remarks>
    public override void AdamStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update)
    {
        if (!Fuses(gradient))
        {
            base.AdamStep(parameter, gradient, firstMoment, secondMoment, update);
        }
        else if (parameter.DType == DType.Float32)
        {
            OptimizerKernels.Adam(F(parameter), Product<float>(gradient), F(firstMoment), F(secondMoment), update);
        }
        else
        {
            OptimizerKernels.Adam(D(parameter), Product<double>(gradient), D(firstMoment), D(secondMoment), update);
        }
    }

    private static bool Fuses(in LinearWeightGradient gradient) =>
        gradient.Rows is > 0 and <= GemmOuter.MaxDepth && gradient.OutFeatures > 1 && gradient.InFeatures > 1;

    private static WeightProduct<T> Product<T>(in LinearWeightGradient gradient)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(Elements<T>(gradient.GradOutput), Elements<T>(gradient.Input), gradient.Rows, gradient.OutFeatures, gradient.InFeatures, T.CreateTruncating(gradient.Scale));
}
