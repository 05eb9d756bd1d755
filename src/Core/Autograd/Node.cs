namespace TensorGrad.Autograd;

/// <summary>
/// One recorded op: what its backward needs (inputs, saved outputs) and the local gradient
/// formula. Each op family's nodes live beside the op in Autograd/Ops.
/// </summary>
internal abstract class Node
{
    /// <summary>The op's name, used in error messages.</summary>
    public abstract string Name { get; }

    /// <summary>The op's tensor inputs (for messages and inspection).</summary>
    public abstract IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>The user code that recorded the op, captured only in anomaly-detection mode.</summary>
    public string? RecordedAt { get; set; }

    /// <summary>The tensor this node produced.</summary>
    public Tensor Output { get; set; } = null!;

    /// <summary>Given the gradient of the output, accumulates the gradients of the inputs with <see cref="Backprop.Accumulate"/>.</summary>
    public abstract void Backward(Tensor gradOutput);
}
