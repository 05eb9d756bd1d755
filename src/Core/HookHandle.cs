namespace TensorGrad;

/// <summary>The handle of a registered hook: removes it once, on the first Dispose.</summary>
internal sealed class HookHandle(Action remove) : IDisposable
{
    private Action? remove = remove;

    public void Dispose()
    {
        remove?.Invoke();
        remove = null;
    }
}
