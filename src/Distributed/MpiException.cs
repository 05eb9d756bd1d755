namespace TensorGrad.Distributed;

/// <summary>An MPI call returned an error code.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception with MPI's error code.</summary>
    public MpiException(string message, int errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The MPI error code the call returned.</summary>
    public int ErrorCode { get; }
}
