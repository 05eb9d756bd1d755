namespace TensorGrad.IO;

/// <summary>
/// What <see cref="SafeTensors.Load"/> read from a file: the tensors, in the order the header
/// lists them, and the <c>__metadata__</c> strings. The tensors belong to the caller;
/// <see cref="Dispose"/> releases those still in <see cref="Tensors"/> (remove the ones to keep first).
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    internal SafeTensorsFile(OrderedDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors by name, in header order.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; }

    /// <summary>The file's metadata (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Disposes every tensor still in <see cref="Tensors"/>.</summary>
    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
