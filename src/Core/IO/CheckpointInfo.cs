namespace TensorGrad.IO;

/// <summary>What <see cref="Checkpoint.Load"/> returns besides the restored model and optimizer.</summary>
/// <param name="Epoch">The epoch given to <see cref="Checkpoint.Save"/>.</param>
/// <param name="Metadata">The caller's metadata given to <see cref="Checkpoint.Save"/> (without the keys the checkpoint format reserves).</param>
public sealed record CheckpointInfo(int Epoch, IReadOnlyDictionary<string, string> Metadata);
