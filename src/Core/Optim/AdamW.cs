namespace TensorGrad.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter, 2019): each step first shrinks the
/// parameters by <c>1 - lr·weightDecay</c>, then applies the Adam update to the raw gradient,
/// as PyTorch's <c>torch.optim.AdamW</c>.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Leaf tensors to update, usually <c>model.Parameters()</c>.</param>
    /// <param name="lr">Learning rate, &gt; 0.</param>
    /// <param name="beta1">Decay of the running mean of gradients, in [0, 1).</param>
    /// <param name="beta2">Decay of the running mean of squared gradients, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, &gt;= 0.</param>
    /// <param name="weightDecay">Decoupled weight decay, &gt;= 0 (PyTorch's default 0.01).</param>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, decoupled: true)
    {
    }
}
