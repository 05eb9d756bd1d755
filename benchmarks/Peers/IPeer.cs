namespace TensorGrad.Peers;

/// <summary>A library that runs the workloads, each timed with its own clock.</summary>
public interface IPeer : IDisposable
{
    /// <summary>The column name, e.g. <c>TensorGrad</c>.</summary>
    string Name { get; }

    /// <summary>The library and its version, for the header of the results.</summary>
    string Description { get; }

    /// <summary>Median seconds per call of <paramref name="workload"/>; the model and data are built on the first call and kept.</summary>
    double SecondsPerCall(Workload workload, TimingSettings timing);
}
