namespace TensorGrad.Backends;

/// <summary>
/// Hyperparameters of one fused SGD update (PyTorch's rule): <c>d = g + weightDecay·p</c>; with
/// momentum, <c>v = d</c> on the first step and <c>v = momentum·v + (1 - dampening)·d</c> after,
/// then <c>d = d + momentum·v</c> (Nesterov) or <c>d = v</c>; finally <c>p -= learningRate·d</c>.
/// </summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Momentum">Momentum factor; 0 disables the velocity buffer.</param>
/// <param name="Dampening">Dampening of the gradient added to the velocity.</param>
/// <param name="WeightDecay">L2 penalty added to the gradient.</param>
/// <param name="Nesterov">Use Nesterov momentum.</param>
/// <param name="FirstStep">True on the parameter's first update: the velocity is set to the gradient.</param>
public readonly record struct SgdUpdate(double LearningRate, double Momentum, double Dampening, double WeightDecay, bool Nesterov, bool FirstStep)
{
    /// <summary>1 - dampening, in double (backends convert each per-step scalar to the element type once).</summary>
    public double Keep => 1 - Dampening;
}

/// <summary>
/// Hyperparameters of one fused Adam/AdamW update (PyTorch's rule). With coupled weight decay
/// (Adam) <c>g += weightDecay·p</c>; with decoupled decay (AdamW) <c>p *= 1 - learningRate·weightDecay</c>.
/// Then <c>m = β₁m + (1-β₁)g</c>, <c>v = β₂v + (1-β₂)g²</c> and
/// <c>p -= (learningRate / (1-β₁ᵗ)) · m / (√v / √(1-β₂ᵗ) + ε)</c>. Backends apply it through the
/// per-step scalars below, so both compute them alike; they multiply by the reciprocal of √(1-β₂ᵗ)
/// instead of dividing (one division per element instead of two).
/// </summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">Decay of the first-moment (mean) estimate.</param>
/// <param name="Beta2">Decay of the second-moment (uncentred variance) estimate.</param>
/// <param name="Epsilon">Added to the denominator for stability.</param>
/// <param name="WeightDecay">Weight decay factor.</param>
/// <param name="Decoupled">True for AdamW's decoupled decay, false for Adam's L2 penalty.</param>
/// <param name="Step">The 1-based step count t of this parameter, for bias correction.</param>
public readonly record struct AdamUpdate(double LearningRate, double Beta1, double Beta2, double Epsilon, double WeightDecay, bool Decoupled, int Step)
{
    /// <summary>1 - β₁, in double: in float32 1 - 0.999f is 0.00099998713, a 1.3e-5 relative error in every step.</summary>
    public double OneMinusBeta1 => 1 - Beta1;

    /// <summary>1 - β₂, in double (see <see cref="OneMinusBeta1"/>).</summary>
    public double OneMinusBeta2 => 1 - Beta2;

    /// <summary>1 - β₁ᵗ.</summary>
    public double BiasCorrection1 => 1 - Math.Pow(Beta1, Step);

    /// <summary>√(1 - β₂ᵗ).</summary>
    public double BiasCorrection2Sqrt => Math.Sqrt(1 - Math.Pow(Beta2, Step));

    /// <summary>The L2 penalty added to the gradient: the weight decay for Adam, 0 for AdamW.</summary>
    public double CoupledDecay => Decoupled ? 0 : WeightDecay;

    /// <summary>The factor applied to the parameter before the step: 1 - learningRate·weightDecay for AdamW, 1 for Adam.</summary>
    public double Shrink => Decoupled ? 1 - (LearningRate * WeightDecay) : 1;

    /// <summary>learningRate / (1 - β₁ᵗ).</summary>
    public double StepSize => LearningRate / BiasCorrection1;

    /// <summary>1 / √(1 - β₂ᵗ).</summary>
    public double InverseBiasCorrection2Sqrt => 1 / BiasCorrection2Sqrt;
}
