namespace TensorGrad.Distributed;

/// <summary>Whether this process was started by an MPI launcher (Open MPI's mpirun, Slurm's srun with PMI or PMIx).</summary>
internal static class Launcher
{
    /// <summary>Variables the launchers set in every process they start.</summary>
    private static readonly string[] Variables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"];

    /// <summary>True when one of <see cref="Variables"/> is set.</summary>
    public static bool StartedByMpi => Variables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));
}
