using TensorGrad.Backends;

namespace TensorGrad.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias-corrected moment estimates and optional L2 weight decay
/// added to the gradient, following PyTorch's <c>torch.optim.Adam</c> (see <see cref="AdamUpdate"/>).
/// For decoupled weight decay use <see cref="AdamW"/>.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor?[] firstMoments;
    private readonly Tensor?[] secondMoments;
    private readonly bool decoupled;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Leaf tensors to update, usually <c>model.Parameters()</c>.</param>
    /// <param name="lr">Learning rate, &gt; 0.</param>
    /// <param name="beta1">Decay of the running mean of gradients, in [0, 1).</param>
    /// <param name="beta2">Decay of the running mean of squared gradients, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, &gt;= 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, &gt;= 0.</param>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, decoupled: false)
    {
    }

    /// <summary>Creates the optimizer with coupled (Adam) or decoupled (AdamW) weight decay.</summary>
    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
        : base(parameters, lr)
    {
        Require(beta1 is >= 0 and < 1, beta1, nameof(beta1), "in [0, 1)");
        Require(beta2 is >= 0 and < 1, beta2, nameof(beta2), "in [0, 1)");
        Require(eps >= 0 && double.IsFinite(eps), eps, nameof(eps), "finite and >= 0");
        Require(weightDecay >= 0 && double.IsFinite(weightDecay), weightDecay, nameof(weightDecay), "finite and >= 0");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = eps;
        WeightDecay = weightDecay;
        this.decoupled = decoupled;
        firstMoments = new Tensor?[Parameters.Count];
        secondMoments = new Tensor?[Parameters.Count];
    }

    /// <summary>Decay of the first-moment estimate.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator stabilizer.</summary>
    public double Epsilon { get; }

    /// <summary>Weight decay factor.</summary>
    public double WeightDecay { get; }

    /// <summary>The first-moment (mean) estimate of parameter <paramref name="index"/>, or null before its first step.</summary>
    public Tensor? FirstMoment(int index) => firstMoments[index];

    /// <summary>The second-moment (uncentred variance) estimate of parameter <paramref name="index"/>, or null before its first step.</summary>
    public Tensor? SecondMoment(int index) => secondMoments[index];

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, Tensor?[] Slots)> StateBuffers => [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];

    /// <inheritdoc />
    protected override void Update(int index, Tensor parameter, Tensor gradient, int step)
    {
        var (m, v, update) = Prepare(index, parameter, step);
        parameter.Backend.AdamStep(parameter.Buffer, gradient.Buffer, m, v, update);
    }

    /// <inheritdoc />
    protected override bool TakesProducts => true;

    /// <inheritdoc />
    protected override void UpdateFromProduct(int index, Tensor parameter, in LinearWeightGradient gradient, int step)
    {
        var (m, v, update) = Prepare(index, parameter, step);
        parameter.Backend.AdamStep(parameter.Buffer, gradient, m, v, update);
    }

    /// <summary>The moment buffers (made on the first step) and the step's scalars.</summary>
    private (DeviceBuffer FirstMoment, DeviceBuffer SecondMoment, AdamUpdate Update) Prepare(int index, Tensor parameter, int step)
    {
        var m = firstMoments[index] ??= StateLike(parameter);
        var v = secondMoments[index] ??= StateLike(parameter);
        return (m.Buffer, v.Buffer, new AdamUpdate(LearningRate, Beta1, Beta2, Epsilon, WeightDecay, decoupled, step));
    }
}
