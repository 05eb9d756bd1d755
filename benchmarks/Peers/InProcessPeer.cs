namespace TensorGrad.Peers;

/// <summary>
/// A peer that runs in this process: builds each workload's model and data on its first call,
/// keeps them (disposed with the peer) and times the step with <see cref="TimingSettings"/>.
/// </summary>
public abstract class InProcessPeer : IPeer
{
    private readonly Dictionary<string, Action> steps = [];
    private readonly List<IDisposable> owned = [];

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <inheritdoc />
    public double SecondsPerCall(Workload workload, TimingSettings timing)
    {
        if (!steps.TryGetValue(workload.Id, out var step))
        {
            step = Create(workload);
            steps[workload.Id] = step;
        }

        return timing.MedianSecondsPerCall(step);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var item in owned)
        {
            item.Dispose();
        }

        owned.Clear();
        steps.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>Builds the step of <paramref name="workload"/>.</summary>
    protected virtual Action Create(Workload workload) => workload.Kind switch
    {
        WorkloadKind.Mlp => MlpStep(workload.Size, workload.Optimizer),
        WorkloadKind.MlpInBackward => MlpInBackwardStep(workload.Size, workload.Optimizer),
        WorkloadKind.Tiny => TinyStep(),
        WorkloadKind.Sgemm => Sgemm(workload.Size),
        WorkloadKind.Add => AddOne(),
        WorkloadKind.NormMlp => NormMlpStep(workload.Size),
        WorkloadKind.LayerNorm => LayerNormStep(),
        WorkloadKind.LeNet => LeNetStep(workload.Size),
        WorkloadKind.Conv => ConvStep(workload.Size),
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload.Kind, "Unknown workload kind."),
    };

    /// <summary>One training step of the 784-256-128-10 MLP at <paramref name="batch"/> with "sgd" or "adam".</summary>
    protected abstract Action MlpStep(int batch, string optimizerName);

    /// <summary>The MLP step with the optimizer stepping in the backward pass, where the library has it; by default its usual step.</summary>
    protected virtual Action MlpInBackwardStep(int batch, string optimizerName) => MlpStep(batch, optimizerName);

    /// <summary>One training step of the 4-8-1 sigmoid network.</summary>
    protected abstract Action TinyStep();

    /// <summary>One n×n×n matrix product.</summary>
    protected abstract Action Sgemm(int n);

    /// <summary>One add of two 1-element tensors.</summary>
    protected abstract Action AddOne();

    /// <summary>One Adam step of the MLP with BatchNorm1d and Dropout(0.2) after each hidden Linear.</summary>
    protected abstract Action NormMlpStep(int batch);

    /// <summary>LayerNorm(1024) forward and backward (of the sum of its output times a fixed tensor) on [512, 1024], with an SGD step of rate 1e-9 that zeroes the gradients as the other steps do.</summary>
    protected abstract Action LayerNormStep();

    /// <summary>One Adam step of the MNIST example's LeNet-style CNN on [batch, 1, 28, 28].</summary>
    protected abstract Action LeNetStep(int batch);

    /// <summary>Conv2d(64, 64, 3, padding 1) forward and backward (of the sum of its output times a fixed tensor) on [batch, 64, 28, 28], with an SGD step of rate 1e-9 over the input and the layer.</summary>
    protected abstract Action ConvStep(int batch);

    /// <summary>Keeps <paramref name="item"/> until the peer is disposed.</summary>
    protected T Keep<T>(T item)
        where T : IDisposable
    {
        owned.Add(item);
        return item;
    }
}
