// TensorGrad's BenchmarkDotNet suite. Pick benchmarks with a filter, e.g.
//   dotnet run -c Release --project benchmarks/TensorGrad.Benchmarks -- --filter '*Gemm*'
// Before BenchmarkDotNet starts, the program prints the runtime and the SIMD support the JIT
// sees, since the CPU kernels' speed depends on it.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Running;
using TensorGrad.Benchmarks;

Console.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture}), {Environment.ProcessorCount} logical cores");
Console.WriteLine($"Vector512.IsHardwareAccelerated: {Vector512.IsHardwareAccelerated}");
Console.WriteLine($"Vector256.IsHardwareAccelerated: {Vector256.IsHardwareAccelerated}");
Console.WriteLine($"Fma.IsSupported: {Fma.IsSupported}, Avx2.IsSupported: {Avx2.IsSupported}, Avx512F.IsSupported: {Avx512F.IsSupported}");
Console.WriteLine($"Benchmark devices: {string.Join(", ", BenchmarkDevices.Available())}");
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
