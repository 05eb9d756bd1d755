namespace TensorGrad.Distributed;

/// <summary>How an allreduce combines the ranks' values element by element.</summary>
public enum ReduceOperation
{
    /// <summary>The sum over ranks (<c>MPI_SUM</c>).</summary>
    Sum,

    /// <summary>The smallest value over ranks (<c>MPI_MIN</c>).</summary>
    Min,

    /// <summary>The largest value over ranks (<c>MPI_MAX</c>).</summary>
    Max,
}
