using TensorGrad.Autograd;

namespace TensorGrad.Optim;

/// <summary>
/// Base class of the optimizers: holds the parameters and the learning rate, zeroes gradients,
/// and on <see cref="Step"/> updates every parameter that has a gradient, in place, with one
/// fused backend kernel per parameter. State buffers are made on a parameter's first update and
/// reused after, so a steady step allocates nothing.
/// </summary>
public abstract partial class Optimizer
{
    private readonly Tensor[] parameters;
    private readonly int[] steps;
    private double learningRate;

    /// <summary>Validates and keeps <paramref name="parameters"/> (leaf tensors, each listed once).</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = [.. parameters];
        if (this.parameters.Length == 0)
        {
            throw new ArgumentException($"{Name}: the parameter list is empty; pass model.Parameters() of a model that has parameters.", nameof(parameters));
        }

        for (int i = 0; i < this.parameters.Length; i++)
        {
            CheckParameter(i, this.parameters[i]);
        }

        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"{Name}: the learning rate must be a finite number > 0.");
        }

        this.learningRate = learningRate;
        steps = new int[this.parameters.Length];
    }

    /// <summary>The parameters this optimizer updates, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>
    /// The step size used by the next <see cref="Step"/>. Schedulers set it every iteration; it may
    /// be set to 0 (a schedule that anneals to zero) but not below, nor to NaN or infinity.
    /// </summary>
    public double LearningRate
    {
        get => learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{Name}: the learning rate must be a finite number >= 0.");
            }

            learningRate = value;
        }
    }

    /// <summary>Number of <see cref="Step"/> calls so far (stepping in the backward pass, the most updates any parameter has had).</summary>
    public int StepCount { get; private set; }

    /// <summary>The optimizer's name, for messages.</summary>
    protected string Name => GetType().Name;

    /// <summary>
    /// Clears the gradients before the next backward pass. With <paramref name="setToNull"/> (the
    /// default, as in PyTorch) each <see cref="Tensor.Grad"/> is released and set to null, and the
    /// next backward pass takes its gradient buffer without a copy; otherwise gradients are filled with zeros.
    /// </summary>
    public void ZeroGrad(bool setToNull = true) => GradientSlots.Clear(parameters, setToNull);

    /// <summary>
    /// Updates every parameter that has a gradient (parameters whose <see cref="Tensor.Grad"/> is
    /// null are skipped, and their step count does not advance).
    /// </summary>
    public void Step()
    {
        if (inBackward is not null)
        {
            throw new InvalidOperationException($"{Name}.Step: this optimizer steps in the backward pass (StepInBackward), so Backward() has already updated the parameters; drop the Step() call, or dispose the handle StepInBackward returned to step here again.");
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var g = p.Grad;
            if (g is null)
            {
                continue;
            }

            CheckGradient("Step", i, p, g);
            steps[i]++;
            Update(i, p, g, steps[i]);
        }

        StepCount++;
    }

    /// <summary>
    /// The optimizer's state for a checkpoint: learning rate, step counts and the live state
    /// buffers (see <see cref="OptimizerState"/>).
    /// </summary>
    public OptimizerState GetState()
    {
        var buffers = new OrderedDictionary<string, Tensor>();
        for (int i = 0; i < parameters.Length; i++)
        {
            foreach (var (name, slots) in StateBuffers)
            {
                if (slots[i] is { } buffer)
                {
                    buffers.Add($"{i}.{name}", buffer);
                }
            }
        }

        return new OptimizerState(Name, LearningRate, StepCount, [.. steps], buffers);
    }

    /// <summary>
    /// Restores a state from <see cref="GetState"/> of the same optimizer type over parameters of
    /// the same shapes, copying the buffers (converting dtype and device as needed). Everything is
    /// checked first: on any mismatch an <see cref="ArgumentException"/> lists the problems and
    /// the optimizer is left unchanged.
    /// </summary>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        if (state.Optimizer != Name)
        {
            problems.Add($"the state is from {state.Optimizer}");
        }

        if (state.ParameterSteps.Count != parameters.Length)
        {
            problems.Add($"the state has {state.ParameterSteps.Count} parameters but this optimizer has {parameters.Length}");
        }

        if (!(state.LearningRate >= 0) || double.IsInfinity(state.LearningRate) || state.StepCount < 0 || state.ParameterSteps.Any(s => s < 0))
        {
            problems.Add("the learning rate or a step count is out of range");
        }

        var targets = new List<(Tensor?[] Slots, int Index, Tensor Source)>();
        foreach (var (key, source) in state.Buffers)
        {
            var slot = FindSlot(key);
            if (slot is not { } found)
            {
                problems.Add($"'{key}' is not a {Name} buffer of one of the {parameters.Length} parameters");
            }
            else if (source.Shape != parameters[found.Index].Shape || source.IsDisposed)
            {
                problems.Add($"'{key}' is {source.Shape}{(source.IsDisposed ? " (disposed)" : "")} but parameter {found.Index} is {parameters[found.Index].Shape}");
            }
            else
            {
                targets.Add((found.Slots, found.Index, source));
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"{Name}.LoadState: {string.Join("; ", problems)}. Nothing was loaded.", nameof(state));
        }

        var loaded = targets.Select(t => (t.Slots, t.Index)).ToHashSet();
        foreach (var (_, slots) in StateBuffers)
        {
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i] is { } stale && !loaded.Contains((slots, i)))
                {
                    stale.Dispose();
                    slots[i] = null;
                }
            }
        }

        foreach (var (slots, index, source) in targets)
        {
            (slots[index] ??= StateLike(parameters[index])).CopyFrom(source);
        }

        LearningRate = state.LearningRate;
        StepCount = state.StepCount;
        state.ParameterSteps.ToArray().CopyTo(steps, 0);
    }

    /// <summary>The state buffers: a name (PyTorch's) and one slot per parameter, null until its first update.</summary>
    protected abstract IReadOnlyList<(string Name, Tensor?[] Slots)> StateBuffers { get; }

    /// <summary>Applies this optimizer's rule to parameter <paramref name="index"/> for its <paramref name="step"/>-th update (1-based).</summary>
    protected abstract void Update(int index, Tensor parameter, Tensor gradient, int step);

    /// <summary>A zero-filled state buffer shaped, typed and placed like <paramref name="parameter"/>.</summary>
    protected static Tensor StateLike(Tensor parameter) => Tensor.Zeros(parameter.Shape, parameter.Device, parameter.DType);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the rule when <paramref name="valid"/> is false.</summary>
    protected void Require(bool valid, double value, string paramName, string rule) => Validate.Require(valid, value, paramName, Name, rule);

    private (Tensor?[] Slots, int Index)? FindSlot(string key)
    {
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) || index >= parameters.Length)
        {
            return null;
        }

        string name = key[(dot + 1)..];
        foreach (var (bufferName, slots) in StateBuffers)
        {
            if (bufferName == name)
            {
                return (slots, index);
            }
        }

        return null;
    }

    private void CheckGradient(string caller, int index, Tensor p, Tensor g)
    {
        if (g.Shape != p.Shape || g.DType != p.DType || !g.Device.Equals(p.Device))
        {
            throw new InvalidOperationException($"{Name}.{caller}: parameter {index} is {p.Shape} {p.DType} on {p.Device} but its gradient is {g.Shape} {g.DType} on {g.Device}; gradients must match their parameter.");
        }
    }

    private void CheckParameter(int index, Tensor p)
    {
        ArgumentNullException.ThrowIfNull(p, $"parameters[{index}]");
        if (!p.IsLeaf)
        {
            throw new ArgumentException($"{Name}: parameter {index} ({p.Shape}) is the result of {p.Origin}, not a leaf tensor; optimizers update leaves such as module parameters.");
        }

        if (p.IsDisposed)
        {
            throw new ArgumentException($"{Name}: parameter {index} ({p.Shape}) has been disposed.");
        }

        if (Array.IndexOf(parameters, p) != index)
        {
            throw new ArgumentException($"{Name}: parameter {index} ({p.Shape}) appears more than once in the parameter list.");
        }
    }
}
