namespace TensorGrad.Backends;

/// <summary>What a 2-D pooling window computes.</summary>
public enum PoolKind
{
    /// <summary>The largest element (padding counts as -∞); the backward routes the gradient to the first maximum.</summary>
    Max,

    /// <summary>The mean over the whole window, padding included as zeros (PyTorch's count_include_pad = True).</summary>
    Average,
}
