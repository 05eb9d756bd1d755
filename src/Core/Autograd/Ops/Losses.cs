using TensorGrad.Autograd;
using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;
using TensorGrad.Graphs;

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

/// <summary>Elementwise loss kernels with their own gradient nodes.</summary>
internal static class LossOps
{
    private const double LogClamp = -100;
    private const double Epsilon = 1e-12;

    /// <summary>Throws unless every element of <paramref name="p"/> lies in [0, 1] (skipped while a KernelGraph is captured).</summary>
    public static void CheckProbabilities(string op, Tensor p)
    {
        if (p.Size == 0 || KernelCapture.Current is not null)
        {
            return;
        }

        double min, max;
        Tape.EnterNoGrad();
        try
        {
            var highest = p.Max();
            var negated = -p;
            var lowest = negated.Max();
            (min, max) = (-lowest.Item(), highest.Item());
            highest.ReleaseIfUnowned();
            negated.ReleaseIfUnowned();
            lowest.ReleaseIfUnowned();
        }
        finally
        {
            Tape.ExitNoGrad();
        }

        if (!(min >= 0 && max <= 1))
        {
            throw new ArgumentException($"{op}: probabilities must lie in [0, 1] but range from {min} to {max} in {p.Shape} on {p.Device}; apply Sigmoid first, or use BinaryCrossEntropyWithLogits on logits.");
        }
    }

    public static Tensor BinaryCrossEntropy(Tensor p, Tensor y)
    {
        Tensor loss;
        Tape.EnterNoGrad();
        try
        {
            var (logP, log1mP) = ClampedLogs(p);
            var gap = logP - log1mP;
            var weighted = y * gap;
            var sum = log1mP + weighted;
            loss = -sum;
            logP.ReleaseIfUnowned();
            log1mP.ReleaseIfUnowned();
            gap.ReleaseIfUnowned();
            weighted.ReleaseIfUnowned();
            sum.ReleaseIfUnowned();
        }
        finally
        {
            Tape.ExitNoGrad();
        }

        if (Tape.ShouldRecord(p, y))
        {
            Tape.Record(new BinaryCrossEntropyNode(p, y), loss);
        }

        return loss;
    }

    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor classIds)
    {
        int rows = logits.Shape[0], classes = logits.Shape[1];
        var losses = Tensor.Result(logits.Backend, Shape.Adopt(rows), logits.DType, "CrossEntropy");
        var probabilities = Tensor.Result(logits.Backend, logits.Shape, logits.DType, "CrossEntropy probabilities");
        logits.Backend.SoftmaxCrossEntropy(logits.Buffer, classIds.Buffer, rows, classes, losses.Buffer, probabilities.Buffer);
        if (Tape.ShouldRecord(logits))
        {
            Tape.Record(new SoftmaxCrossEntropyNode(logits, classIds, probabilities), losses);
        }
        else
        {
            probabilities.ReleaseIfUnowned();
        }

        return losses;
    }

    /// <summary>log p and log(1 - p), each clamped below at -100 (unrecorded).</summary>
    private static (Tensor LogP, Tensor Log1mP) ClampedLogs(Tensor p)
    {
        var logP = p.Log();
        var complement = 1.0 - p;
        var log1mP = complement.Log();
        complement.ReleaseIfUnowned();
        p.Backend.Scalar(ScalarOp.Max, logP.Buffer, LogClamp, logP.Buffer);
        p.Backend.Scalar(ScalarOp.Max, log1mP.Buffer, LogClamp, log1mP.Buffer);
        return (logP, log1mP);
    }

    private sealed class BinaryCrossEntropyNode(Tensor p, Tensor y) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [p, y];

        public override string Name => "BinaryCrossEntropy";

        public override void Backward(Tensor g)
        {
            if (p.RequiresGrad)
            {
                // PyTorch's formula: (p - y) / max(p(1 - p), ε).
                var denominator = p * (1.0 - p);
                p.Backend.Scalar(ScalarOp.Max, denominator.Buffer, Epsilon, denominator.Buffer);
                Backprop.Accumulate(p, g * (p - y) / denominator);
            }

            if (y.RequiresGrad)
            {
                var (logP, log1mP) = ClampedLogs(p);
                Backprop.Accumulate(y, g * (log1mP - logP));
            }
        }
    }

    private sealed class SoftmaxCrossEntropyNode(Tensor logits, Tensor classIds, Tensor probabilities) : Node
    {
        public override IReadOnlyList<Tensor> Inputs => [logits, classIds];

        public override string Name => "CrossEntropy";

        public override void Backward(Tensor g)
        {
            int rows = logits.Shape[0], classes = logits.Shape[1];
            var grad = Tensor.Result(logits.Backend, logits.Shape, logits.DType, "CrossEntropy backward");
            logits.Backend.SoftmaxCrossEntropyBackward(probabilities.Buffer, classIds.Buffer, g.Buffer, rows, classes, grad.Buffer);
            Backprop.Accumulate(logits, grad);
        }
    }
}
