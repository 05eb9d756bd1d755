using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Tests.Gpu;

/// <summary>
/// Compiles every kernel of the GPU backend for CUDA (PTX for sm_90) and OpenCL C 2.0 without a
/// device, so a kernel that only a real GPU would reject fails here. The OpenCL C is also checked
/// by clang when one is installed.
/// </summary>
public sealed partial class KernelCompilationTests
{
    private static readonly Lazy<Context> SharedContext = new(() => Context.Create(builder => builder.EnableAlgorithms().EnableGroupBarrier()));

    [Fact]
    public void The_catalog_holds_every_operator_of_every_kernel_family_for_both_element_types()
    {
        var names = KernelCatalog.All().Select(KernelCatalog.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("ElementwiseKernels.Unary<Single, SoftplusOperator<Single>>", names);
        Assert.Contains("ElementwiseKernels.Binary<Double, UnaryGradient<Double, TanhOperator<Double>>>", names);
        Assert.Contains("ElementwiseKernels.Unary<Single, LeakyReluOperator<Single>>", names);
        Assert.Contains("ReduceKernels.PerGroup<Single, MaxReduction<Single>>", names);
        Assert.Contains("GemmKernel.Gemm<Double>", names);
        Assert.Contains("ElementwiseKernels.ToSingle", names);
        Assert.Equal(2 * Enum.GetValues<Backends.UnaryOp>().Length, names.Count(n => n.StartsWith("ElementwiseKernels.Unary<", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_kernel_compiles_to_ptx_for_sm_90()
    {
        using var backend = new PTXBackend(SharedContext.Value, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var failures = CompileAll(backend, kernel => Assert.Contains(".entry", ((PTXCompiledKernel)kernel).PTXAssembly, StringComparison.Ordinal));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_kernel_compiles_to_opencl_c_2_0()
    {
        using var backend = OpenCLBackend();
        var failures = CompileAll(backend, kernel => Assert.Contains("kernel void", ((CLCompiledKernel)kernel).Source, StringComparison.Ordinal));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Clang_accepts_the_generated_opencl_c()
    {
        string? clang = new[] { "clang", "clang-19", "clang-16", "clang-15", "clang-14" }.FirstOrDefault(OnPath);
        if (clang is null)
        {
            Assert.Skip("no clang on PATH to check the OpenCL C (apt-get install clang)");
        }

        using var backend = OpenCLBackend();
        using var directory = new TempDirectory();
        var failures = new List<string>();
        foreach (var kernel in KernelCatalog.All())
        {
            string path = directory.PathOf("kernel.cl");
            File.WriteAllText(path, ((CLCompiledKernel)Compile(backend, kernel)).Source);
            var (exitCode, output) = Run(clang, $"-cl-std=CL2.0 -Xclang -finclude-default-header -fsyntax-only -x cl {path}");
            if (exitCode != 0)
            {
                failures.Add($"{KernelCatalog.Name(kernel)}: {output}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Opencl_shared_memory_is_private_to_each_group_and_barriers_fence_it()
    {
        using var backend = OpenCLBackend();
        var failures = new List<string>();
        foreach (var kernel in KernelCatalog.All())
        {
            string source = ((CLCompiledKernel)Compile(backend, kernel)).Source;
            string name = KernelCatalog.Name(kernel);

            // Dynamic shared memory becomes a program-scope pointer that groups running at once overwrite.
            if (ProgramScopeLocal().Match(source) is { Success: true } shared)
            {
                failures.Add($"{name}: program-scope shared memory '{shared.Value.Trim()}'");
            }

            if (BarrierWithoutLocalFence().Match(source) is { Success: true } barrier)
            {
                failures.Add($"{name}: '{barrier.Value.Trim()}' does not fence local memory");
            }

            if (source.Contains(" local ", StringComparison.Ordinal) && !source.Contains("CLK_LOCAL_MEM_FENCE", StringComparison.Ordinal))
            {
                failures.Add($"{name}: shares memory without a local barrier");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [GeneratedRegex(@"^local\s[^;(]*;", RegexOptions.Multiline)]
    private static partial Regex ProgramScopeLocal();

    [GeneratedRegex(@"barrier\s*\((?![^)]*CLK_LOCAL_MEM_FENCE)[^)]*\)")]
    private static partial Regex BarrierWithoutLocalFence();

    private static CLBackend OpenCLBackend() =>
        new(SharedContext.Value, new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: true, subGroups: false), CLDeviceVendor.Other, CLCVersion.CL20);

    private static List<string> CompileAll(Backend backend, Action<CompiledKernel> check)
    {
        var failures = new List<string>();
        foreach (var kernel in KernelCatalog.All())
        {
            try
            {
                check(Compile(backend, kernel));
            }
            catch (Exception e)
            {
                failures.Add($"{KernelCatalog.Name(kernel)}: {e.GetType().Name}: {e.InnerException?.Message ?? e.Message}");
            }
        }

        return failures;
    }

    private static CompiledKernel Compile(Backend backend, MethodInfo kernel)
    {
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        return backend.Compile(entry, default(KernelSpecialization));
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));

    private static (int ExitCode, string Output) Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
