using TensorGrad.Backends;

namespace TensorGrad.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov), dampening and
/// L2 weight decay, following PyTorch's <c>torch.optim.SGD</c> update rule (see <see cref="SgdUpdate"/>).
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] velocities;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Leaf tensors to update, usually <c>model.Parameters()</c>.</param>
    /// <param name="lr">Learning rate, &gt; 0.</param>
    /// <param name="momentum">Momentum factor in [0, 1); 0 is plain SGD and keeps no state.</param>
    /// <param name="dampening">Dampening of the gradient's contribution to the momentum, in [0, 1].</param>
    /// <param name="weightDecay">L2 penalty (added to the gradient), &gt;= 0.</param>
    /// <param name="nesterov">Nesterov momentum; needs momentum &gt; 0 and no dampening.</param>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr)
    {
        Require(momentum is >= 0 and < 1, momentum, nameof(momentum), "in [0, 1)");
        Require(dampening is >= 0 and <= 1, dampening, nameof(dampening), "in [0, 1]");
        Require(weightDecay >= 0 && double.IsFinite(weightDecay), weightDecay, nameof(weightDecay), "finite and >= 0");
        if (nesterov && (momentum == 0 || dampening != 0))
        {
            throw new ArgumentException($"{Name}: Nesterov momentum needs momentum > 0 and dampening = 0 (got momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        }

        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        velocities = new Tensor?[Parameters.Count];
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Dampening of the gradient added to the momentum buffer.</summary>
    public double Dampening { get; }

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>The momentum buffer of parameter <paramref name="index"/>, or null before its first step (or without momentum).</summary>
    public Tensor? Velocity(int index) => velocities[index];

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, Tensor?[] Slots)> StateBuffers => [("momentum_buffer", velocities)];

    /// <inheritdoc />
    protected override void Update(int index, Tensor parameter, Tensor gradient, int step)
    {
        var (velocity, update) = Prepare(index, parameter, step);
        parameter.Backend.SgdStep(parameter.Buffer, gradient.Buffer, velocity, update);
    }

    /// <inheritdoc />
    protected override bool TakesProducts => true;

    /// <inheritdoc />
    protected override void UpdateFromProduct(int index, Tensor parameter, in LinearWeightGradient gradient, int step)
    {
        var (velocity, update) = Prepare(index, parameter, step);
        parameter.Backend.SgdStep(parameter.Buffer, gradient, velocity, update);
    }

    /// <summary>The momentum buffer (made on the first step; null without momentum) and the step's scalars.</summary>
    private (DeviceBuffer? Velocity, SgdUpdate Update) Prepare(int index, Tensor parameter, int step)
    {
        Tensor? velocity = null;
        if (Momentum != 0)
        {
            velocity = velocities[index] ??= StateLike(parameter);
        }

        return (velocity?.Buffer, new SgdUpdate(LearningRate, Momentum, Dampening, WeightDecay, Nesterov, FirstStep: step == 1));
    }
}
