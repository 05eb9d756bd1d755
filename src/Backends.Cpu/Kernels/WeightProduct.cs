using System.Numerics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// A linear layer's weight gradient <c>Scale · gradOutputᵀ · input</c> on the CPU (a
/// <see cref="LinearWeightGradient"/> with its arrays), for updates that take it unwritten.
/// </summary>
internal readonly record struct WeightProduct<T>(T[] GradOutput, T[] Input, int Rows, int OutFeatures, int InFeatures, T Scale)
    where T : unmanaged, IFloatingPointIeee754<T>;
