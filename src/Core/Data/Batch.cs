namespace TensorGrad.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>: features [B, ...] and targets [B, ...]. The tensors
/// belong to the loader and are overwritten by the next batch; copy what you need to keep.
/// </summary>
/// <param name="Features">The samples, [B, ...sample shape].</param>
/// <param name="Targets">The targets, [B, ...target shape] (class ids: [B]).</param>
public readonly record struct Batch(Tensor Features, Tensor Targets);
