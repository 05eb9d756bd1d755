using TensorGrad.Autograd.Ops;

namespace TensorGrad.Nn;

/// <summary>How a loss combines its per-element values.</summary>
public enum Reduction
{
    /// <summary>The mean over all elements (the default, as in PyTorch).</summary>
    Mean,

    /// <summary>The sum over all elements.</summary>
    Sum,

    /// <summary>No reduction: one loss value per element (per row for cross-entropy).</summary>
    None,
}

/// <summary>Loss functions. Each returns a scalar tensor unless <see cref="Reduction.None"/> is asked for.</summary>
public static class Loss
{
    /// <summary>Mean squared error between <paramref name="prediction"/> and <paramref name="target"/> of the same shape.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("Mse", prediction, target);
        var difference = prediction - target;
        var squared = difference.Square();
        difference.ReleaseIfUnowned();
        return Reduce(squared, reduction);
    }

    /// <summary>
    /// Binary cross-entropy of probabilities <paramref name="probabilities"/> in [0, 1] against
    /// targets in [0, 1]: -(y·log p + (1 - y)·log(1 - p)), each log clamped at -100 as in PyTorch.
    /// As PyTorch, probabilities outside [0, 1] (or NaN) are an error rather than a NaN loss; the
    /// check reads their range back from the device, except inside a <see cref="KernelGraph"/>
    /// capture, whose replays do not check.
    /// </summary>
    /// <exception cref="ArgumentException">A probability lies outside [0, 1] or is NaN.</exception>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("BinaryCrossEntropy", probabilities, target);
        LossOps.CheckProbabilities("BinaryCrossEntropy", probabilities);
        return Reduce(LossOps.BinaryCrossEntropy(probabilities, target), reduction);
    }

    /// <summary>
    /// Binary cross-entropy on logits z (sigmoid folded in), computed stably as
    /// softplus(z) - z·y; accurate for |z| in the thousands.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("BinaryCrossEntropyWithLogits", logits, target);
        var softplus = logits.Softplus();
        var product = logits * target;
        var perElement = softplus - product;
        softplus.ReleaseIfUnowned();
        product.ReleaseIfUnowned();
        return Reduce(perElement, reduction);
    }

    /// <summary>
    /// Cross-entropy of logits [batch, classes] against class ids [batch] (integer values stored
    /// as floats), with a fused, stable log-softmax. <see cref="Reduction.None"/> gives one loss per row.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor classIds, Reduction reduction = Reduction.Mean)
    {
        const string name = "CrossEntropy";
        OpChecks.Rank(name, logits, 2, "logits [batch, classes]");
        OpChecks.SameDeviceAndType(name, logits, classIds);
        if (classIds.Rank != 1 || classIds.Shape[0] != logits.Shape[0])
        {
            throw new ArgumentException($"{name}: class ids must have shape [{logits.Shape[0]}] to match logits {logits.Shape}, got {classIds.Shape} on {classIds.Device}.");
        }

        return Reduce(LossOps.SoftmaxCrossEntropy(logits, classIds), reduction);
    }

    /// <summary>Reduces the per-element losses (made by the loss itself) and releases them when unowned.</summary>
    private static Tensor Reduce(Tensor perElement, Reduction reduction)
    {
        if (reduction == Reduction.None)
        {
            return perElement;
        }

        var loss = reduction == Reduction.Mean ? perElement.Mean() : perElement.Sum();
        perElement.ReleaseIfUnowned();
        return loss;
    }

    private static void SameShape(string op, Tensor prediction, Tensor target)
    {
        OpChecks.SameDeviceAndType(op, prediction, target);
        if (prediction.Shape != target.Shape)
        {
            throw new ArgumentException($"{op}: prediction {prediction.Shape} and target {target.Shape} on {prediction.Device} must have the same shape.");
        }
    }
}
