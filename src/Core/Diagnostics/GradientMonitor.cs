using System.Globalization;
using TensorGrad.Backends;
using TensorGrad.Nn;

namespace TensorGrad.Diagnostics;

/// <summary>
/// Watches a model's training: call <see cref="Record"/> once per step, after
/// <see cref="Optim.Optimizer.Step"/>, while the gradients are still there. Each record holds,
/// per module with parameters, the gradient norm, weight norm and update-to-weight ratio, and per
/// ReLU module the fraction of dead units in the last batch (seen through forward hooks). Alerts
/// fire for vanishing gradients (the first layer's norm below <see cref="VanishingRatio"/> times
/// the last layer's; once when it starts, again only after it has cleared), exploding ones (the global norm above <see cref="ExplodingFactor"/> times
/// its recent mean) and non-finite values. Memory is bounded: the last <see cref="Capacity"/>
/// records are kept, plus one copy of the weights for the update ratio. Disposing removes the hooks.
/// </summary>
public sealed class GradientMonitor : IDisposable
{
    private readonly (string Name, Tensor[] Parameters)[] layers;
    private readonly List<IDisposable> hooks = [];
    private readonly Dictionary<string, double> deadFractions = [];
    private readonly Queue<GradientRecord> records = new();
    private readonly Queue<GradientAlert> alerts = new();
    private const int RecentWindow = 10;
    private readonly Tensor[][] previous;
    private int step;
    private bool vanishing;

    /// <summary>Attaches to <paramref name="model"/>.</summary>
    /// <param name="model">The model to watch.</param>
    /// <param name="capacity">How many recent records to keep, &gt; 0.</param>
    public GradientMonitor(Module model, int capacity = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        var modules = model.NamedModules().ToList();
        layers = [.. modules
            .Select(m => (Name: m.Name.Length == 0 ? "(model)" : m.Name, Parameters: m.Module.NamedParameters().Where(p => !p.Name.Contains('.')).Select(p => p.Parameter).ToArray()))
            .Where(l => l.Parameters.Length > 0)];
        previous = [.. layers.Select(l => l.Parameters.Select(p => p.Clone()).ToArray())];
        foreach (var (name, module) in modules.Where(m => m.Module is ReLU))
        {
            hooks.Add(module.RegisterForwardHook((_, _, output) => deadFractions[name] = DeadFraction(output)));
        }
    }

    /// <summary>How many records are kept.</summary>
    public int Capacity { get; }

    /// <summary>The vanishing alert fires when first-layer norm / last-layer norm falls below this (default 1e-3).</summary>
    public double VanishingRatio { get; init; } = 1e-3;

    /// <summary>The exploding alert fires when the global norm exceeds this multiple of its mean over the last 10 records (default 10).</summary>
    public double ExplodingFactor { get; init; } = 10;

    /// <summary>The recent records, oldest first.</summary>
    public IReadOnlyCollection<GradientRecord> Records => records;

    /// <summary>The recent alerts (at most one per kind per step, the last <see cref="Capacity"/> kept), oldest first.</summary>
    public IReadOnlyCollection<GradientAlert> Alerts => alerts;

    /// <summary>Raised when an alert fires.</summary>
    public event Action<GradientAlert>? AlertRaised;

    /// <summary>Records this step's statistics and checks for alerts; returns the record.</summary>
    public GradientRecord Record()
    {
        var stats = new LayerStats[layers.Length];
        double total = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            var (name, parameters) = layers[l];
            double grad = 0, weight = 0, before = 0, change = 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                grad += p.Grad is { } g ? g.Backend.SumOfSquares(g.Buffer) : 0;
                weight += p.Backend.SumOfSquares(p.Buffer);
                before += p.Backend.SumOfSquares(previous[l][i].Buffer);
                change += SquaredDistance(p, previous[l][i]);
                previous[l][i].CopyFrom(p);
            }

            total += grad;
            stats[l] = new LayerStats(name, Math.Sqrt(grad), Math.Sqrt(weight), before > 0 ? Math.Sqrt(change / before) : double.NaN);
        }

        var activations = deadFractions.Select(d => new ActivationStats(d.Key, d.Value)).ToArray();
        var record = new GradientRecord(step, Math.Sqrt(total), stats, activations);
        Check(record);
        records.Enqueue(record);
        if (records.Count > Capacity)
        {
            records.Dequeue();
        }

        step++;
        return record;
    }

    /// <summary>Removes the forward hooks and releases the weight copies.</summary>
    public void Dispose()
    {
        hooks.ForEach(h => h.Dispose());
        hooks.Clear();
        foreach (var copy in previous.SelectMany(p => p))
        {
            copy.Dispose();
        }
    }

    private static double SquaredDistance(Tensor a, Tensor b)
    {
        var difference = a.Backend.Allocate(a.Size, a.DType);
        try
        {
            a.Backend.Binary(BinaryOp.Sub, a.Buffer, a.Shape, b.Buffer, b.Shape, difference, a.Shape);
            return a.Backend.SumOfSquares(difference);
        }
        finally
        {
            a.Backend.Release(difference);
        }
    }

    /// <summary>The fraction of units (last dimension) that are zero for every row of <paramref name="output"/>.</summary>
    private static double DeadFraction(Tensor output)
    {
        if (output.Rank == 0 || output.Size == 0)
        {
            return 0;
        }

        int units = output.Shape[output.Rank - 1];
        var values = output.ToArray();
        int dead = 0;
        for (int u = 0; u < units; u++)
        {
            bool alive = false;
            for (int i = u; i < values.Length && !alive; i += units)
            {
                alive = values[i] != 0;
            }

            dead += alive ? 0 : 1;
        }

        return (double)dead / units;
    }

    private void Check(GradientRecord record)
    {
        if (!double.IsFinite(record.TotalGradientNorm) || record.Layers.Any(l => !double.IsFinite(l.WeightNorm)))
        {
            var bad = record.Layers.First(l => !double.IsFinite(l.GradientNorm) || !double.IsFinite(l.WeightNorm));
            Raise(GradientAlertKind.NonFinite, $"layer {bad.Name} has a non-finite gradient norm ({Format(bad.GradientNorm)}) or weight norm ({Format(bad.WeightNorm)})");
            return;
        }

        if (records.Count > 0)
        {
            double recent = records.Skip(Math.Max(0, records.Count - RecentWindow)).Average(r => r.TotalGradientNorm);
            if (recent > 0 && record.TotalGradientNorm > ExplodingFactor * recent)
            {
                Raise(GradientAlertKind.Exploding, $"the gradient norm {Format(record.TotalGradientNorm)} is {Format(record.TotalGradientNorm / recent)}× its recent mean {Format(recent)}");
            }
        }

        if (record.Layers.Count >= 2)
        {
            var (first, last) = (record.Layers[0], record.Layers[^1]);
            bool wasVanishing = vanishing;
            vanishing = last.GradientNorm > 0 && first.GradientNorm < VanishingRatio * last.GradientNorm;
            if (vanishing && !wasVanishing)
            {
                Raise(GradientAlertKind.Vanishing, $"the first layer ({first.Name}) gets a gradient norm of {Format(first.GradientNorm)}, {last.GradientNorm / Math.Max(first.GradientNorm, double.Epsilon):G3}× smaller than the last layer's ({last.Name}, {Format(last.GradientNorm)})");
            }
        }

        void Raise(GradientAlertKind kind, string message)
        {
            var alert = new GradientAlert(record.Step, kind, $"step {record.Step}: {message}");
            alerts.Enqueue(alert);
            if (alerts.Count > Capacity)
            {
                alerts.Dequeue();
            }

            AlertRaised?.Invoke(alert);
        }
    }

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
