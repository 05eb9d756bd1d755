namespace TensorGrad.Backends;

/// <summary>
/// The gradient of a linear layer's [<paramref name="OutFeatures"/>, <paramref name="InFeatures"/>]
/// weight as the product it is, <c>Scale · gradOutputᵀ · input</c>, not yet computed: an optimizer
/// step that takes it (<see cref="IBackend.SgdStep(DeviceBuffer, in LinearWeightGradient, DeviceBuffer?, in SgdUpdate)"/>)
/// may update the weight from each piece of the product as it is made, so the gradient is never
/// written to memory and read back.
/// </summary>
/// <param name="GradOutput">The layer's output gradient, [<paramref name="Rows"/>, <paramref name="OutFeatures"/>].</param>
/// <param name="Input">The layer's input, [<paramref name="Rows"/>, <paramref name="InFeatures"/>].</param>
/// <param name="Rows">The batch: the depth of the product.</param>
/// <param name="OutFeatures">The weight's rows.</param>
/// <param name="InFeatures">The weight's columns.</param>
/// <param name="Scale">The factor the product is multiplied by (a leaf's gradient scale, 1 outside data parallelism).</param>
public readonly record struct LinearWeightGradient(DeviceBuffer GradOutput, DeviceBuffer Input, int Rows, int OutFeatures, int InFeatures, double Scale)
{
    /// <summary>Elements of the weight (and of its gradient).</summary>
    public long Length => (long)OutFeatures * InFeatures;
}
