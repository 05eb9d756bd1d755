using System.Collections;
using System.Globalization;

namespace TensorGrad.Nn;

/// <summary>
/// Modules held in a list (PyTorch's <c>nn.ModuleList</c>): registered as children "0", "1", ...
/// so their parameters are found, saved and moved, while the owner decides how to call them. It
/// has no forward of its own.
/// </summary>
public sealed class ModuleList : Module, IReadOnlyList<Module>
{
    private readonly List<Module> modules = [];

    /// <summary>Creates the list from <paramref name="modules"/>, in order.</summary>
    public ModuleList(params IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var module in modules)
        {
            Add(module);
        }
    }

    /// <summary>Number of modules.</summary>
    public int Count => modules.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => modules[index];

    /// <summary>Appends <paramref name="module"/>.</summary>
    public void Add(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        modules.Add(RegisterModule(modules.Count.ToString(CultureInfo.InvariantCulture), module));
    }

    /// <inheritdoc />
    public IEnumerator<Module> GetEnumerator() => modules.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) =>
        throw new NotSupportedException("ModuleList has no forward: call its modules from the owning module's ForwardCore, or use Sequential.");
}
