using System.Text;
using TensorGrad.Autograd;

namespace TensorGrad.Nn;

/// <summary>
/// Base class of layers and models: a forward function, named parameters, named buffers
/// (non-trainable state such as BatchNorm's running statistics) and named child modules whose
/// parameters and buffers are collected recursively with dotted names (<c>"0.weight"</c>), as in
/// PyTorch. Subclasses register what they own in their constructor with
/// <see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/> and <see cref="RegisterModule{TModule}"/>.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Parameter)> parameters = [];
    private readonly List<(string Name, Tensor Buffer)> buffers = [];
    private readonly List<(string Name, Module Module)> children = [];
    private readonly List<Action<Module, Tensor, Tensor>> forwardHooks = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>
    /// Computes the module's output for <paramref name="input"/> (recorded when a tape is active),
    /// then runs the forward hooks. Subclasses implement <see cref="ForwardCore"/>.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        var output = ForwardCore(input);
        for (int i = 0; i < forwardHooks.Count; i++)
        {
            forwardHooks[i](this, input, output);
        }

        return output;
    }

    /// <summary>True when forward hooks watch this module (so its output must exist as its own tensor).</summary>
    internal bool HasForwardHooks => forwardHooks.Count > 0;

    /// <summary>
    /// Adds <paramref name="hook"/>(module, input, output), called after every <see cref="Forward"/>
    /// of this module (e.g. to watch activations). Dispose the returned handle to remove it.
    /// </summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        forwardHooks.Add(hook);
        return new HookHandle(() => forwardHooks.Remove(hook));
    }

    /// <summary>This module and all its descendants with their dotted names ("" for this one), depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (name, child) in children)
        {
            foreach (var (sub, module) in child.NamedModules())
            {
                yield return (sub.Length == 0 ? name : $"{name}.{sub}", module);
            }
        }
    }

    /// <summary>Every parameter of this module and its descendants, in registration order.</summary>
    public IReadOnlyList<Tensor> Parameters() => [.. NamedParameters().Select(p => p.Parameter)];

    /// <summary>Every parameter with its dotted path (<c>"0.weight"</c>, <c>"2.bias"</c>), in registration order.</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters()
    {
        var result = new List<(string, Tensor)>();
        Collect("", result, parameters: true, buffers: false);
        return result;
    }

    /// <summary>Every buffer (non-trainable state) of this module and its descendants, in registration order.</summary>
    public IReadOnlyList<Tensor> Buffers() => [.. NamedBuffers().Select(b => b.Buffer)];

    /// <summary>Every buffer with its dotted path (<c>"1.running_mean"</c>), in registration order.</summary>
    public IReadOnlyList<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var result = new List<(string, Tensor)>();
        Collect("", result, parameters: false, buffers: true);
        return result;
    }

    /// <summary>The direct child modules with their names.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children() => children;

    /// <summary>Sets training mode on this module and its descendants; returns this module.</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in children)
        {
            child.Train(training);
        }

        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>); returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Moves every parameter and buffer of this module and its descendants (with their
    /// gradients) to <paramref name="device"/> in place, as PyTorch's <c>module.to(device)</c>;
    /// returns this module. Create the optimizer after moving: its state stays where it was made.
    /// </summary>
    public Module To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var (_, t) in NamedState())
        {
            t.MoveTo(device, GetType().Name);
        }

        return this;
    }

    /// <summary>Clears the gradients of every parameter (see <see cref="Optim.Optimizer.ZeroGrad"/>).</summary>
    public void ZeroGrad(bool setToNull = true) => GradientSlots.Clear(Parameters(), setToNull);

    /// <summary>
    /// The state dictionary: name → the live parameter or buffer tensor, in PyTorch's order (each
    /// module's parameters, then its buffers, then its children's). The tensors are not copies;
    /// <see cref="Tensor.Clone"/> them to keep a snapshot.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var state = new OrderedDictionary<string, Tensor>();
        foreach (var (name, t) in NamedState())
        {
            state.Add(name, t);
        }

        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters with the same names,
    /// converting dtype and device as needed. Every entry is checked before anything is copied:
    /// a shape mismatch, or (when <paramref name="strict"/>) a missing or unexpected name, throws
    /// an <see cref="ArgumentException"/> listing every problem, and the model is left unchanged.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = StateDictProblems(state, strict);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"LoadStateDict into {GetType().Name}: {string.Join("; ", problems)}. Nothing was loaded.", nameof(state));
        }

        foreach (var (name, t) in NamedState())
        {
            if (state.TryGetValue(name, out var source))
            {
                t.CopyFrom(source);
            }
        }
    }

    /// <summary>
    /// Why <paramref name="state"/> cannot be loaded into this model (empty when it can): shape
    /// mismatches and disposed tensors, and with <paramref name="strict"/> missing and unexpected
    /// names. Names in the messages carry <paramref name="keyPrefix"/>, and
    /// <paramref name="source"/> says where the state came from.
    /// </summary>
    internal List<string> StateDictProblems(IReadOnlyDictionary<string, Tensor> state, bool strict, string keyPrefix = "", string source = "the state dictionary")
    {
        var own = NamedState();
        var problems = new List<string>();
        foreach (var (name, p) in own)
        {
            if (!state.TryGetValue(name, out var stored))
            {
                if (strict)
                {
                    problems.Add($"'{keyPrefix}{name}' {p.Shape} is missing");
                }
            }
            else if (stored.IsDisposed)
            {
                problems.Add($"'{keyPrefix}{name}' has been disposed");
            }
            else if (stored.Shape != p.Shape)
            {
                problems.Add($"'{keyPrefix}{name}' is {stored.Shape} in {source} but {p.Shape} in the model");
            }
        }

        if (strict)
        {
            var names = own.Select(p => p.Name).ToHashSet();
            problems.AddRange(state.Keys.Where(k => !names.Contains(k)).Select(k => $"'{keyPrefix}{k}' is not a parameter or buffer of this model"));
        }

        return problems;
    }

    /// <summary>The module tree, one module per line with its settings, as PyTorch prints models.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Print(text, 0);
        return text.ToString();
    }

    /// <summary>The module's computation; called by <see cref="Forward"/>.</summary>
    protected abstract Tensor ForwardCore(Tensor input);

    /// <summary>Settings shown after the module's name by <see cref="ToString"/> (e.g. "in=4, out=8").</summary>
    protected virtual string Describe() => "";

    /// <summary>Registers <paramref name="tensor"/> as a parameter called <paramref name="name"/> and turns on its gradient.</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckName(name);
        if (!tensor.IsLeaf)
        {
            throw new ArgumentException($"{GetType().Name}: parameter '{name}' ({tensor.Shape}) is the result of {tensor.Origin}; parameters must be leaf tensors.", nameof(tensor));
        }

        tensor.RequiresGrad = true;
        parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>
    /// Registers <paramref name="tensor"/> as a buffer called <paramref name="name"/>: state that is
    /// saved, loaded and checkpointed with the parameters but not trained (no gradient, not in
    /// <see cref="Parameters"/>), such as BatchNorm's running statistics.
    /// </summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckName(name);
        if (!tensor.IsLeaf || tensor.RequiresGrad)
        {
            throw new ArgumentException($"{GetType().Name}: buffer '{name}' ({tensor.Shape}) must be a leaf tensor without gradient.", nameof(tensor));
        }

        buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers <paramref name="module"/> as a child called <paramref name="name"/>.</summary>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        children.Add((name, module));
        return module;
    }

    /// <summary>Parameters and buffers with their dotted names, in state-dictionary order.</summary>
    private List<(string Name, Tensor Tensor)> NamedState()
    {
        var result = new List<(string, Tensor)>();
        Collect("", result, parameters: true, buffers: true);
        return result;
    }

    private void Collect(string prefix, List<(string, Tensor)> result, bool parameters, bool buffers)
    {
        if (parameters)
        {
            result.AddRange(this.parameters.Select(p => (prefix + p.Name, p.Parameter)));
        }

        if (buffers)
        {
            result.AddRange(this.buffers.Select(b => (prefix + b.Name, b.Buffer)));
        }

        foreach (var (name, child) in children)
        {
            child.Collect($"{prefix}{name}.", result, parameters, buffers);
        }
    }

    private void Print(StringBuilder text, int depth)
    {
        text.Append(GetType().Name).Append('(').Append(Describe());
        if (children.Count == 0)
        {
            text.Append(')');
            return;
        }

        var indent = new string(' ', 2 * (depth + 1));
        foreach (var (name, child) in children)
        {
            text.AppendLine().Append(indent).Append('(').Append(name).Append("): ");
            child.Print(text, depth + 1);
        }

        text.AppendLine().Append(' ', 2 * depth).Append(')');
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
        {
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid name; names are non-empty and have no '.'.", nameof(name));
        }

        if (parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name) || children.Any(c => c.Name == name))
        {
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.", nameof(name));
        }
    }
}
