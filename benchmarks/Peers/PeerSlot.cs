namespace TensorGrad.Peers;

/// <summary>A column of the results: a library that runs (<see cref="Peer"/>) or one that could not be loaded (<see cref="Unavailable"/>).</summary>
/// <param name="Name">The column name.</param>
/// <param name="Peer">The library, or null when it is unavailable.</param>
/// <param name="Unavailable">Why the library is not measured, or null.</param>
public sealed record PeerSlot(string Name, IPeer? Peer, string? Unavailable)
{
    /// <summary>Opens a library with <paramref name="create"/>; a <see cref="PeerUnavailableException"/> becomes an unavailable slot.</summary>
    public static PeerSlot Open(string name, Func<IPeer> create)
    {
        try
        {
            return new PeerSlot(name, create(), null);
        }
        catch (PeerUnavailableException e)
        {
            return new PeerSlot(name, null, e.Message);
        }
    }
}
