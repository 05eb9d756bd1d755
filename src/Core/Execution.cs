using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>
/// How ops run on this thread, and the one place tensors, autograd and optimizers learn of graph
/// capture. With no scope (eager execution) an op runs on its tensors' own backend. Inside an
/// <see cref="IExecutionScope"/> (a <see cref="KernelGraph"/> capture) the scope routes each op to
/// the backend it should run on, observes the tensors ops make and touch, takes the gradients of
/// leaves, and refuses what it cannot keep.
/// </summary>
internal static class Execution
{
    [ThreadStatic]
    private static IExecutionScope? scope;

    /// <summary>The scope active on this thread, or null for eager execution.</summary>
    public static IExecutionScope? Scope => scope;

    /// <summary>False while a scope forbids reading device values back on the host (a capture cannot repeat a host read).</summary>
    public static bool AllowsHostReads => scope is null;

    /// <summary>Starts <paramref name="next"/> on this thread; scopes do not nest.</summary>
    public static void Enter(IExecutionScope next)
    {
        if (scope is not null)
        {
            throw new InvalidOperationException("KernelGraph.Capture: a capture is already running on this thread; captures do not nest.");
        }

        scope = next;
    }

    /// <summary>Ends the active scope on this thread.</summary>
    public static void Leave() => scope = null;

    /// <summary>The backend an op on a tensor of <paramref name="own"/> runs on.</summary>
    public static IBackend Route(IBackend own) => scope is { } active ? active.Route(own) : own;

    /// <summary>The backend a new tensor keeps: its real one, whatever the op ran on.</summary>
    public static IBackend Own(IBackend backend) => scope is { } active ? active.Unroute(backend) : backend;

    /// <summary>Tells the scope a tensor was made.</summary>
    public static void Created(Tensor tensor) => scope?.Created(tensor);

    /// <summary>Tells the scope an op reads or writes a tensor's storage.</summary>
    public static void Touched(Tensor tensor) => scope?.Touched(tensor);

    /// <summary>True when leaves' gradients go to the scope (<see cref="AddLeafGradient"/>) instead of straight to <see cref="Tensor.Grad"/>.</summary>
    public static bool TakesLeafGradients => scope is not null;

    /// <summary>Hands the scope a leaf's gradient contribution, held in <paramref name="slot"/>.</summary>
    public static void AddLeafGradient(Tensor leaf, Tensor slot) => scope!.AddLeafGradient(leaf, slot);

    /// <summary>Throws when a scope is active: <paramref name="what"/> cannot run inside it, and <paramref name="instead"/> says what to do.</summary>
    public static void Refuse(string what, string instead) => scope?.Refuse(what, instead);

    /// <summary>
    /// Runs <paramref name="step"/>, host code whose launches depend on values read when it runs
    /// (an optimizer's learning rate and step count): now, and inside a scope also as a step of
    /// the graph, run again on every replay. It runs outside the scope, on the real backends.
    /// </summary>
    public static void RunHostStep(Action step)
    {
        if (scope is { } active)
        {
            active.AddHostStep(step);
        }
        else
        {
            step();
        }
    }
}

/// <summary>A way of running ops other than eagerly: what <see cref="Execution"/> consults (a <see cref="KernelGraph"/> capture).</summary>
internal interface IExecutionScope
{
    /// <summary>The backend an op on a tensor of <paramref name="backend"/> runs on.</summary>
    IBackend Route(IBackend backend);

    /// <summary>The real backend behind one this scope routed to.</summary>
    IBackend Unroute(IBackend backend);

    /// <summary>A tensor was made inside the scope.</summary>
    void Created(Tensor tensor);

    /// <summary>An op reads or writes a tensor's storage.</summary>
    void Touched(Tensor tensor);

    /// <summary>A leaf's gradient contribution, held in <paramref name="slot"/>.</summary>
    void AddLeafGradient(Tensor leaf, Tensor slot);

    /// <summary>Throws the scope's error for <paramref name="what"/>, which it cannot hold.</summary>
    void Refuse(string what, string instead);

    /// <summary>Runs <paramref name="step"/> outside the scope now and keeps it as a step of its own (see <see cref="Execution.RunHostStep"/>).</summary>
    void AddHostStep(Action step);
}
