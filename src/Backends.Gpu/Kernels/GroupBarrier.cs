using System.Reflection;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.IR;
using ILGPU.IR.Intrinsics;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// The barrier of kernels that share memory within a group. ILGPU's <see cref="Group.Barrier"/>
/// becomes <c>work_group_barrier(CLK_GLOBAL_MEM_FENCE)</c> in OpenCL C, which orders only global
/// memory: a strict driver may let a thread read a shared tile before another thread's write to
/// it is visible. This barrier fences local and global memory in OpenCL; on CUDA
/// (<c>bar.sync</c> orders shared memory) and ILGPU's CPU accelerator it is <see cref="Group.Barrier"/>.
/// </summary>
internal static class GroupBarrier
{
    /// <summary>Waits for every thread of the group; their shared and global writes are visible after it.</summary>
    [IntrinsicImplementation]
    public static void Sync() => Group.Barrier();

    /// <summary>Registers the per-backend implementations of <see cref="Sync"/> with an ILGPU context being built.</summary>
    public static Context.Builder EnableGroupBarrier(this Context.Builder builder)
    {
        var sync = typeof(GroupBarrier).GetMethod(nameof(Sync), BindingFlags.Public | BindingFlags.Static)!;
        var manager = builder.GetIntrinsicManager();
        manager.RegisterMethod(sync, new PTXIntrinsic(typeof(GroupBarrier), nameof(GroupLevel), IntrinsicImplementationMode.Redirect));
        manager.RegisterMethod(sync, new CLIntrinsic(typeof(GroupBarrier), nameof(GenerateOpenCL), IntrinsicImplementationMode.GenerateCode));
        return builder;
    }

    /// <summary>The CUDA implementation: ILGPU's group barrier.</summary>
    private static void GroupLevel() => Group.Barrier();

    /// <summary>The OpenCL implementation: a work-group barrier that fences both address spaces.</summary>
    private static void GenerateOpenCL(CLBackend backend, CLCodeGenerator codeGenerator, Value value)
    {
        using var statement = codeGenerator.BeginStatement($"work_group_barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)");
    }
}
