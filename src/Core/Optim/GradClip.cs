using TensorGrad.Backends;

namespace TensorGrad.Optim;

/// <summary>
/// Gradient clipping, applied between <see cref="Tensor.Backward()"/> and <see cref="Optimizer.Step"/>.
/// Parameters whose <see cref="Tensor.Grad"/> is null are skipped.
/// </summary>
public static class GradClip
{
    /// <summary>
    /// The L2 norm of all gradients taken together, <c>√(Σ‖gᵢ‖²)</c>, accumulated in double precision.
    /// </summary>
    public static double GlobalNorm(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sum = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is { } g)
            {
                sum += g.Backend.SumOfSquares(g.Buffer);
            }
        }

        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Scales all gradients by <c>maxNorm / (norm + 1e-6)</c> when their global L2 norm exceeds
    /// <paramref name="maxNorm"/>, as <c>torch.nn.utils.clip_grad_norm_</c>. Returns the norm
    /// before clipping. A NaN or infinite norm is returned and the gradients are left alone, so
    /// the caller can skip the step.
    /// </summary>
    public static double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Validate.Require(maxNorm > 0 && double.IsFinite(maxNorm), maxNorm, nameof(maxNorm), nameof(ClipByGlobalNorm), "finite and > 0");
        var list = parameters as IReadOnlyList<Tensor> ?? [.. parameters];
        double norm = GlobalNorm(list);
        double scale = maxNorm / (norm + 1e-6);
        if (double.IsFinite(norm) && scale < 1)
        {
            foreach (var p in list)
            {
                if (p.Grad is { } g)
                {
                    g.Backend.Scalar(ScalarOp.Mul, g.Buffer, scale, g.Buffer);
                }
            }
        }

        return norm;
    }

    /// <summary>Clamps every gradient element into [-<paramref name="clipValue"/>, <paramref name="clipValue"/>] in place.</summary>
    public static void ClipByValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Validate.Require(clipValue > 0 && double.IsFinite(clipValue), clipValue, nameof(clipValue), nameof(ClipByValue), "finite and > 0");
        foreach (var p in parameters)
        {
            if (p.Grad is { } g)
            {
                g.Backend.Scalar(ScalarOp.Min, g.Buffer, clipValue, g.Buffer);
                g.Backend.Scalar(ScalarOp.Max, g.Buffer, -clipValue, g.Buffer);
            }
        }
    }
}
