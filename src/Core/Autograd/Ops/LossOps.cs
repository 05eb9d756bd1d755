using TensorGrad.Backends;

namespace TensorGrad.Autograd.Ops;

/// <summary>Elementwise loss kernels with their own gradient nodes.</summary>
internal static class LossOps
{
    private const double LogClamp = -100;
    private const double Epsilon = 1e-12;

    /// <summary>Throws unless every element of <paramref name="p"/> lies in [0, 1] (skipped while a KernelGraph is captured).</summary>
    public static void CheckProbabilities(string op, Tensor p)
    {
        if (p.Size == 0 || !Execution.AllowsHostReads)
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
