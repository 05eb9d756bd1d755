using System.Globalization;
using TensorGrad.Autograd.Ops;

namespace TensorGrad.Nn;

/// <summary>
/// Batch normalization over the batch (PyTorch's <c>nn.BatchNorm1d</c>) of input [N, C] or
/// [N, C, L]: in training each channel is normalized with the batch's mean and biased variance
/// (over N, and L), and the running statistics move toward the batch's with <c>momentum</c>,
/// the running variance from the unbiased batch variance; in evaluation the running statistics
/// normalize. With <c>affine</c> the result is scaled by <c>weight</c> (ones at first) and
/// shifted by <c>bias</c> (zeros). State: weight, bias, running_mean, running_var,
/// num_batches_tracked, as PyTorch names them; num_batches_tracked is a float64 scalar
/// (TensorGrad has no integer dtype), which PyTorch loads into its int64 buffer.
/// </summary>
public sealed class BatchNorm1d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">C, the channels.</param>
    /// <param name="eps">Added to the variance (default 1e-5).</param>
    /// <param name="momentum">The running statistics' update factor (default 0.1); null for a cumulative average over all batches.</param>
    /// <param name="affine">Whether the layer learns a weight and a bias per channel.</param>
    /// <param name="trackRunningStats">Whether the layer keeps running statistics; without them it normalizes with the batch's in evaluation too.</param>
    /// <param name="device">Where the parameters and buffers live (default: the CPU).</param>
    /// <param name="dtype">Parameter element type.</param>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, Device? device = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(eps > 0) || !double.IsFinite(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"BatchNorm1d({numFeatures}): eps must be a positive finite number.");
        }

        if (momentum is { } m && !(m >= 0 && m <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"BatchNorm1d({numFeatures}): momentum must be in [0, 1] or null.");
        }

        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], device, dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], device, dtype));
        }

        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], device, dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], device, dtype));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros(Shape.Scalar, device, DType.Float64));
        }
    }

    /// <summary>C, the channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The running statistics' update factor; null for a cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>The learned per-channel scale, or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>The learned per-channel shift, or null without affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>The running mean per channel, or null without running statistics.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>The running (unbiased) variance per channel, or null without running statistics.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training batches seen, or null without running statistics.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3) || input.Shape[1] != NumFeatures)
        {
            throw new ArgumentException($"BatchNorm1d({NumFeatures}): the input is {input.Shape} on {input.Device}; it must be [N, {NumFeatures}] or [N, {NumFeatures}, L].", nameof(input));
        }

        if (IsTraining || RunningMean is null)
        {
            long count = input.Size / NumFeatures;
            if (IsTraining && count <= 1)
            {
                throw new ArgumentException($"BatchNorm1d({NumFeatures}): training needs more than one value per channel, but the input is {input.Shape} on {input.Device}; use a batch of two or more, or Eval().", nameof(input));
            }

            int length = input.Rank == 3 ? input.Shape[2] : 1;
            var (normalized, mean, variance) = BatchNormOp.Forward(input, Weight, Bias, input.Shape[0], NumFeatures, length, Eps);
            if (IsTraining && RunningMean is not null)
            {
                UpdateRunningStatistics(mean, variance, count);
            }

            return normalized;
        }

        // Evaluation: the running statistics, shaped as the input with 1 outside the channel axis.
        var statShape = input.Rank == 2 ? new Shape(1, NumFeatures) : new Shape(1, NumFeatures, 1);
        var y = (input - RunningMean.Reshape(statShape)) / (RunningVar!.Reshape(statShape) + Eps).Sqrt();
        return Weight is null ? y : (y * Weight.Reshape(statShape)) + Bias!.Reshape(statShape);
    }

    /// <inheritdoc />
    protected override string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{NumFeatures}, eps={Eps}, momentum={(Momentum is { } m ? m.ToString(CultureInfo.InvariantCulture) : "None")}, affine={(Weight is not null ? "True" : "False")}, track_running_stats={(RunningMean is not null ? "True" : "False")}");

    /// <summary>running = (1 - f)·running + f·batch, with the variance made unbiased; f is the momentum or 1/batches.</summary>
    private void UpdateRunningStatistics(Tensor mean, Tensor biasedVariance, long count)
    {
        NumBatchesTracked!.AddInPlace(1);
        double factor = Momentum ?? 1 / NumBatchesTracked.ToDoubleArray()[0];
        RunningMean!.MulInPlace(1 - factor);
        RunningMean.AddInPlace(mean, factor);
        RunningVar!.MulInPlace(1 - factor);
        RunningVar.AddInPlace(biasedVariance, factor * count / (count - 1));
    }
}
