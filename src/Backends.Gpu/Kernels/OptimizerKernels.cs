using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>SGD's coefficients in the element type, computed once on the host per step.</summary>
internal readonly struct SgdCoefficients<T>(SgdUpdate update, bool useVelocity)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly T LearningRate = T.CreateTruncating(update.LearningRate);
    public readonly T Momentum = T.CreateTruncating(update.Momentum);
    public readonly T Keep = T.CreateTruncating(update.Keep);
    public readonly T WeightDecay = T.CreateTruncating(update.WeightDecay);
    public readonly int UseVelocity = useVelocity ? 1 : 0;
    public readonly int FirstStep = update.FirstStep ? 1 : 0;
    public readonly int Nesterov = update.Nesterov ? 1 : 0;
}

/// <summary>Adam's coefficients, derived in double on the host and converted to the element type once.</summary>
internal readonly struct AdamCoefficients<T>(AdamUpdate update)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly T Beta1 = T.CreateTruncating(update.Beta1);
    public readonly T Beta2 = T.CreateTruncating(update.Beta2);
    public readonly T OneMinusBeta1 = T.CreateTruncating(update.OneMinusBeta1);
    public readonly T OneMinusBeta2 = T.CreateTruncating(update.OneMinusBeta2);
    public readonly T Epsilon = T.CreateTruncating(update.Epsilon);
    public readonly T CoupledDecay = T.CreateTruncating(update.CoupledDecay);
    public readonly T Shrink = T.CreateTruncating(update.Shrink);
    public readonly T StepSize = T.CreateTruncating(update.StepSize);
    public readonly T InverseCorrection2 = T.CreateTruncating(update.InverseBiasCorrection2Sqrt);
}

/// <summary>Fused in-place optimizer updates, one pass over parameter, gradient and state (the CPU backend's rules, element by element).</summary>
internal static class OptimizerKernels
{
    /// <summary>SGD; <paramref name="velocity"/> is read and written only when the coefficients use momentum.</summary>
    public static void Sgd<T>(ArrayView<T> parameter, ArrayView<T> gradient, ArrayView<T> velocity, SgdCoefficients<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < parameter.IntLength; i += GridLoop.Step)
        {
            T p = parameter[i];
            T d = gradient[i] + (p * k.WeightDecay);
            if (k.UseVelocity != 0)
            {
                T v = k.FirstStep != 0 ? d : (velocity[i] * k.Momentum) + (d * k.Keep);
                velocity[i] = v;
                d = k.Nesterov != 0 ? d + (v * k.Momentum) : v;
            }

            parameter[i] = p - (d * k.LearningRate);
        }
    }

    public static void Adam<T>(ArrayView<T> parameter, ArrayView<T> gradient, ArrayView<T> firstMoment, ArrayView<T> secondMoment, AdamCoefficients<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < parameter.IntLength; i += GridLoop.Step)
        {
            T p = parameter[i];
            T g = gradient[i] + (p * k.CoupledDecay);
            p *= k.Shrink;
            T m = (firstMoment[i] * k.Beta1) + (g * k.OneMinusBeta1);
            T v = (secondMoment[i] * k.Beta2) + (g * g * k.OneMinusBeta2);
            firstMoment[i] = m;
            secondMoment[i] = v;
            parameter[i] = p - (m * k.StepSize / ((T.Sqrt(v) * k.InverseCorrection2) + k.Epsilon));
        }
    }
}
