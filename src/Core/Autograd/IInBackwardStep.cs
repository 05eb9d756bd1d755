using TensorGrad.Backends;

namespace TensorGrad.Autograd;

/// <summary>
/// One parameter's optimizer step in the backward pass (<see cref="Optim.Optimizer.StepInBackward"/>),
/// as a linear layer's backward sees it: the layer may offer its weight gradient as the product it
/// is, and the step takes it unwritten when its rule has a fused kernel.
/// </summary>
internal interface IInBackwardStep
{
    /// <summary>Updates <paramref name="parameter"/> from <paramref name="gradient"/> and returns true, or returns false (nothing done) when this step cannot take a product.</summary>
    bool TryStepFromProduct(Tensor parameter, in LinearWeightGradient gradient);
}
