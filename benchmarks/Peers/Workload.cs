namespace TensorGrad.Peers;

/// <summary>The kinds of workload every library runs.</summary>
public enum WorkloadKind
{
    /// <summary>A training step of the 784-256-128-10 ReLU MLP with softmax cross-entropy.</summary>
    Mlp,

    /// <summary>
    /// The <see cref="Mlp"/> step with TensorGrad's optimizer stepping in the backward pass
    /// (<c>Optimizer.StepInBackward</c>); the other libraries run their usual step, which leaves
    /// the same parameters.
    /// </summary>
    MlpInBackward,

    /// <summary>A training step of the 4-8-1 sigmoid MLP with MSE and SGD on 4 samples.</summary>
    Tiny,

    /// <summary>A square float32 matrix product.</summary>
    Sgemm,

    /// <summary>An add of two one-element tensors that do not require gradients.</summary>
    Add,

    /// <summary>A training step of the 784-256-128-10 MLP with BatchNorm1d and Dropout(0.2) after each hidden Linear, Adam.</summary>
    NormMlp,

    /// <summary>LayerNorm(1024) forward and backward on a [512, 1024] input.</summary>
    LayerNorm,

    /// <summary>A training step of the MNIST example's LeNet-style CNN (conv 5×5 ×32, pool, conv 5×5 ×64, pool, 1024-128-10, Dropout(0.5)), Adam.</summary>
    LeNet,

    /// <summary>Conv2d(64, 64, 3, padding 1) forward and backward on a [32, 64, 28, 28] input.</summary>
    Conv,
}

/// <summary>
/// One workload, identified by <see cref="Id"/> (the name torch_peer.py receives, e.g.
/// <c>mlp-adam-32</c>, <c>sgemm-1024</c>).
/// </summary>
/// <param name="Kind">What is run.</param>
/// <param name="Size">Batch size for the training steps and the convolution, N for <see cref="WorkloadKind.Sgemm"/>, otherwise 0.</param>
/// <param name="Optimizer"><c>sgd</c> or <c>adam</c> for training steps, otherwise empty.</param>
public sealed record Workload(WorkloadKind Kind, int Size, string Optimizer)
{
    /// <summary>Multiply-adds per sample of the 784-256-128-10 MLP's forward pass: 784·256 + 256·128 + 128·10.</summary>
    private const double MlpMacsPerSample = (784 * 256) + (256 * 128) + (128 * 10);

    /// <summary>Multiply-adds per sample of the input gradients of its two upper layers: 256·128 + 128·10.</summary>
    private const double MlpInputGradientMacsPerSample = (256 * 128) + (128 * 10);

    /// <summary>Multiply-adds per sample of the LeNet's input gradients (every layer but the first convolution): conv2, then 1024·128 + 128·10.</summary>
    private const double LeNetInputGradientMacsPerSample = (64 * 8 * 8 * 32 * 25) + (1024 * 128) + (128 * 10);

    /// <summary>Multiply-adds per sample of the LeNet's forward pass: conv1 32·24²·25, conv2 64·8²·800, then the two Linear layers.</summary>
    private const double LeNetMacsPerSample = (32 * 24 * 24 * 25) + LeNetInputGradientMacsPerSample;

    /// <summary>Multiply-adds per sample of the 3×3 64→64 convolution on 28×28: 64·28²·64·9.</summary>
    private const double ConvMacsPerSample = 64 * 28 * 28 * 64 * 9;

    /// <summary>The name shared with torch_peer.py.</summary>
    public string Id => Kind switch
    {
        WorkloadKind.Mlp => $"mlp-{Optimizer}-{Size}",
        WorkloadKind.MlpInBackward => $"mlpib-{Optimizer}-{Size}",
        WorkloadKind.Tiny => "tiny-sgd",
        WorkloadKind.Sgemm => $"sgemm-{Size}",
        WorkloadKind.NormMlp => $"mlpnorm-adam-{Size}",
        WorkloadKind.LayerNorm => "layernorm-512x1024",
        WorkloadKind.LeNet => $"lenet-adam-{Size}",
        WorkloadKind.Conv => $"conv3x3-64-28-{Size}",
        _ => "add-1",
    };

    /// <summary>The row label of the results table.</summary>
    public string Title => Kind switch
    {
        WorkloadKind.Mlp => $"MLP 784-256-128-10 step, {(Optimizer == "sgd" ? "SGD" : "Adam")}, batch {Size}",
        WorkloadKind.MlpInBackward => $"same, {(Optimizer == "sgd" ? "SGD" : "Adam")}, batch {Size}, TensorGrad stepping in the backward pass",
        WorkloadKind.Tiny => "4-8-1 sigmoid step, MSE, SGD, 4 samples",
        WorkloadKind.Sgemm => $"SGEMM {Size}×{Size}×{Size}",
        WorkloadKind.NormMlp => $"MLP step with BatchNorm and Dropout, Adam, batch {Size}",
        WorkloadKind.LayerNorm => "LayerNorm [512, 1024] forward + backward",
        WorkloadKind.LeNet => $"LeNet CNN step, Adam, batch {Size}",
        WorkloadKind.Conv => $"Conv2d 3×3 64→64 on 28×28 fwd + bwd, batch {Size}",
        _ => "add of two 1-element tensors (no grad)",
    };

    /// <summary>
    /// Floating-point operations per call, 2 per multiply-add of the matrix products (the forward
    /// pass, every layer's weight gradient, the input gradients of the two upper layers), or 0 where
    /// the arithmetic is negligible (convolutions: their forward, weight-gradient and input-gradient
    /// products; LeNet's first convolution needs no input gradient).
    /// </summary>
    public double Flops => Kind switch
    {
        WorkloadKind.Mlp or WorkloadKind.MlpInBackward or WorkloadKind.NormMlp => 2.0 * Size * ((2 * MlpMacsPerSample) + MlpInputGradientMacsPerSample),
        WorkloadKind.Sgemm => 2.0 * Size * Size * Size,
        WorkloadKind.LeNet => 2.0 * Size * ((2 * LeNetMacsPerSample) + LeNetInputGradientMacsPerSample),
        WorkloadKind.Conv => 2.0 * Size * 3 * ConvMacsPerSample,
        _ => 0,
    };

    /// <summary>The workloads of a run, in table order; <paramref name="quick"/> leaves out SGEMM 2048.</summary>
    public static IReadOnlyList<Workload> All(bool quick)
    {
        var list = new List<Workload>();
        foreach (string optimizer in new[] { "sgd", "adam" })
        {
            foreach (int batch in new[] { 1, 32, 128, 512 })
            {
                list.Add(new Workload(WorkloadKind.Mlp, batch, optimizer));
            }
        }

        foreach (string optimizer in new[] { "sgd", "adam" })
        {
            list.Add(new Workload(WorkloadKind.MlpInBackward, 1, optimizer));
        }

        list.Add(new Workload(WorkloadKind.Tiny, 0, "sgd"));
        foreach (int n in quick ? new[] { 256, 1024 } : new[] { 256, 1024, 2048 })
        {
            list.Add(new Workload(WorkloadKind.Sgemm, n, ""));
        }

        list.Add(new Workload(WorkloadKind.Add, 0, ""));
        list.Add(new Workload(WorkloadKind.NormMlp, 128, "adam"));
        list.Add(new Workload(WorkloadKind.LayerNorm, 0, ""));
        list.Add(new Workload(WorkloadKind.LeNet, 64, "adam"));
        list.Add(new Workload(WorkloadKind.Conv, 32, ""));
        return list;
    }
}
