namespace TensorGrad.Diagnostics;

/// <summary>Statistics of one module's own parameters at one step.</summary>
/// <param name="Name">The module's dotted name in the model ("0", "encoder.1", ...).</param>
/// <param name="GradientNorm">L2 norm of the gradients of the module's parameters.</param>
/// <param name="WeightNorm">L2 norm of the parameters after the step.</param>
/// <param name="UpdateRatio">‖w_now − w_then‖ / ‖w_then‖, with w_then the weights at the previous record (or when the monitor was attached); NaN when those were all zero.</param>
public sealed record LayerStats(string Name, double GradientNorm, double WeightNorm, double UpdateRatio);

/// <summary>How many units of a ReLU module gave zero for every sample of the last batch.</summary>
/// <param name="Name">The ReLU module's dotted name.</param>
/// <param name="DeadFraction">The fraction of dead units, in [0, 1].</param>
public sealed record ActivationStats(string Name, double DeadFraction);

/// <summary>Everything a <see cref="GradientMonitor"/> recorded at one step.</summary>
/// <param name="Step">The step number (0-based, counted by the monitor).</param>
/// <param name="TotalGradientNorm">The global L2 norm of all gradients.</param>
/// <param name="Layers">Per-module parameter statistics, in model order.</param>
/// <param name="Activations">Dead-unit fractions of the ReLU modules, in model order.</param>
public sealed record GradientRecord(int Step, double TotalGradientNorm, IReadOnlyList<LayerStats> Layers, IReadOnlyList<ActivationStats> Activations);

/// <summary>The kinds of trouble a <see cref="GradientMonitor"/> reports.</summary>
public enum GradientAlertKind
{
    /// <summary>The first layer's gradient norm is orders of magnitude below the last layer's.</summary>
    Vanishing,

    /// <summary>The global gradient norm jumped far above its recent level.</summary>
    Exploding,

    /// <summary>A gradient or weight holds NaN or infinity.</summary>
    NonFinite,
}

/// <summary>One alert, with the step it fired at and a readable explanation.</summary>
/// <param name="Step">The step.</param>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">An explanation naming the layers and the figures.</param>
public sealed record GradientAlert(int Step, GradientAlertKind Kind, string Message);
