namespace TensorGrad;

/// <summary>
/// Thrown inside <see cref="Tape.DetectAnomaly"/> when an op produces a NaN or infinite value in
/// its output (forward) or in a gradient (backward). The message names the op, its input shapes
/// and the line of user code that recorded it.
/// </summary>
public sealed class AnomalyException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    public AnomalyException(string op, bool backward, string message)
        : base(message)
    {
        Op = op;
        InBackward = backward;
    }

    /// <summary>The name of the op whose forward output or backward gradient was not finite.</summary>
    public string Op { get; }

    /// <summary>True when the bad value appeared in a gradient during a backward pass.</summary>
    public bool InBackward { get; }
}
