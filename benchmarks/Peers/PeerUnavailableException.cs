namespace TensorGrad.Peers;

/// <summary>A peer library that cannot run on this machine; the message says why and how to fix it.</summary>
public sealed class PeerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure underneath.</summary>
    public PeerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
