namespace TensorGrad.Tests;

/// <summary>
/// Tests that read process-wide counters (pooled buffer and kernel counts of a shared backend) run
/// in this collection, alone, after the parallel ones, so no other test moves the counters.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
