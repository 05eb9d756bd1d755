using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

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
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean) =>
        Reduce(OfDifference("Mse", prediction, target, UnaryOp.Square), reduction);

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
        ClassLossOps.CheckShapes("CrossEntropy", "logits", logits, classIds, weights: null);
        return Reduce(LossOps.SoftmaxCrossEntropy(logits, classIds), reduction);
    }

    /// <summary>
    /// Cross-entropy with class weights and label smoothing, as PyTorch's
    /// <c>cross_entropy(weight, label_smoothing)</c>: (1 - ε)·NLL(log-softmax, weights) +
    /// (ε / C)·Σ_c -w_c·log p_c per row; with weights, the mean divides by the summed weights of
    /// the rows' classes. Without weights and smoothing it is the fused <see cref="CrossEntropy(Tensor, Tensor, Reduction)"/>.
    /// </summary>
    /// <param name="logits">Scores [batch, classes].</param>
    /// <param name="classIds">Class ids [batch].</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="weights">Per-class weights [classes], or null for 1.</param>
    /// <param name="reduction">How the rows' losses combine.</param>
    public static Tensor CrossEntropy(Tensor logits, Tensor classIds, double labelSmoothing, Tensor? weights = null, Reduction reduction = Reduction.Mean)
    {
        const string name = "CrossEntropy";
        int classes = ClassLossOps.CheckShapes(name, "logits", logits, classIds, weights);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"{name}: labelSmoothing must be in [0, 1].");
        }

        if (labelSmoothing == 0 && weights is null)
        {
            return CrossEntropy(logits, classIds, reduction);
        }

        var logP = logits.LogSoftmax(-1);
        var oneHot = ClassLossOps.OneHot(name, classIds, classes);
        var nll = WeightedNll(logP, oneHot, weights, reduction);
        if (labelSmoothing == 0)
        {
            return nll;
        }

        var smooth = -(weights is null ? logP : logP * weights).Sum(1);
        var smoothed = reduction switch
        {
            Reduction.None => smooth,
            Reduction.Sum => smooth.Sum(),
            _ => weights is null ? smooth.Mean() : smooth.Sum() / (oneHot * weights).Sum(),
        };
        return (nll * (1 - labelSmoothing)) + (smoothed * (labelSmoothing / classes));
    }

    /// <summary>
    /// Negative log-likelihood of log-probabilities [batch, classes] (e.g. from
    /// <see cref="Tensor.LogSoftmax"/>) against class ids [batch], as PyTorch's <c>nll_loss</c>:
    /// -w[y]·logp[y] per row; with weights, the mean divides by the summed weights of the rows' classes.
    /// </summary>
    /// <param name="logProbabilities">Log-probabilities [batch, classes].</param>
    /// <param name="classIds">Class ids [batch].</param>
    /// <param name="weights">Per-class weights [classes], or null for 1.</param>
    /// <param name="reduction">How the rows' losses combine.</param>
    public static Tensor Nll(Tensor logProbabilities, Tensor classIds, Tensor? weights = null, Reduction reduction = Reduction.Mean)
    {
        int classes = ClassLossOps.CheckShapes("Nll", "log-probabilities", logProbabilities, classIds, weights);
        return WeightedNll(logProbabilities, ClassLossOps.OneHot("Nll", classIds, classes), weights, reduction);
    }

    /// <summary>Mean absolute error (PyTorch's <c>l1_loss</c>) between tensors of one shape.</summary>
    public static Tensor L1(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean) =>
        Reduce(OfDifference("L1", prediction, target, UnaryOp.Abs), reduction);

    /// <summary>Huber loss (PyTorch's <c>huber_loss</c>): ½d² where |d| ≤ δ, else δ(|d| - ½δ), with d = prediction - target.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="target">The target, of the prediction's shape.</param>
    /// <param name="delta">δ &gt; 0 (default 1).</param>
    /// <param name="reduction">How the elements' losses combine.</param>
    public static Tensor Huber(Tensor prediction, Tensor target, double delta = 1, Reduction reduction = Reduction.Mean) =>
        Reduce(OfDifference("Huber", prediction, target, new UnaryFunction(UnaryOp.Huber, OpChecks.Positive("Huber", "delta", delta))), reduction);

    /// <summary>Smooth L1 loss (PyTorch's <c>smooth_l1_loss</c>): ½d²/β where |d| &lt; β, else |d| - ½β; β = 0 is the L1 loss.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="target">The target, of the prediction's shape.</param>
    /// <param name="beta">β ≥ 0 (default 1).</param>
    /// <param name="reduction">How the elements' losses combine.</param>
    public static Tensor SmoothL1(Tensor prediction, Tensor target, double beta = 1, Reduction reduction = Reduction.Mean)
    {
        if (beta == 0)
        {
            return L1(prediction, target, reduction);
        }

        var huber = OfDifference("SmoothL1", prediction, target, new UnaryFunction(UnaryOp.Huber, OpChecks.Positive("SmoothL1", "beta", beta)));
        var perElement = huber / beta;
        huber.ReleaseIfUnowned();
        return Reduce(perElement, reduction);
    }

    /// <summary>f(prediction - target) per element, for predictions and targets of one shape; the difference is released when unowned.</summary>
    private static Tensor OfDifference(string op, Tensor prediction, Tensor target, UnaryFunction f)
    {
        SameShape(op, prediction, target);
        var difference = prediction - target;
        var perElement = Elementwise.Unary(f, difference);
        difference.ReleaseIfUnowned();
        return perElement;
    }

    /// <summary>-w[y]·logp[y] per row, reduced as PyTorch's nll_loss (the weighted mean divides by Σ w[y]).</summary>
    private static Tensor WeightedNll(Tensor logP, Tensor oneHot, Tensor? weights, Reduction reduction)
    {
        var picked = (logP * oneHot).Sum(1);
        if (weights is null)
        {
            return Reduce(-picked, reduction);
        }

        var rowWeights = (oneHot * weights).Sum(1);
        var perRow = -(picked * rowWeights);
        return reduction switch
        {
            Reduction.None => perRow,
            Reduction.Sum => perRow.Sum(),
            _ => perRow.Sum() / rowWeights.Sum(),
        };
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
