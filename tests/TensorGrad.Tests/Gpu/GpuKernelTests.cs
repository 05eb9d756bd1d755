using TensorGrad.Backends;

namespace TensorGrad.Tests.Gpu;

/// <summary>
/// GPU kernels the shared suite reaches only at small sizes, checked against the CPU backend on
/// every accelerator present: the tiled GEMM in every layout with alpha and beta (products of 64
/// and more rows and columns, odd sizes, more tiles than groups so each group loops), the tiled
/// transpose, and reductions long enough to use the group-per-output kernel. On a parallel
/// runtime (a GPU, PoCL) many groups run at once, so a race between groups shows here; ILGPU's
/// CPU accelerator runs groups one at a time and would hide it.
/// </summary>
public sealed class GpuKernelTests
{
    public static TheoryData<string, int, int, int> GemmShapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (string device in GpuDevices.AcceleratorNames)
        {
            foreach (var (m, n, k) in new[] { (64, 64, 64), (67, 129, 45), (130, 65, 1), (65, 97, 200), (128, 128, 128), (193, 257, 67), (520, 130, 31) })
            {
                data.Add(device, m, n, k);
            }
        }

        return data;
    }

    public static TheoryData<string, int, int, int> ReduceShapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (string device in GpuDevices.AcceleratorNames)
        {
            foreach (var (outer, axis, inner) in new[] { (1, 5000, 1), (3, 1000, 2), (2, 0, 3), (70, 700, 1) })
            {
                data.Add(device, outer, axis, inner);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void The_tiled_gemm_matches_the_cpu_in_every_layout_with_alpha_and_beta(string device, int m, int n, int k)
    {
        var accelerator = Accelerator(device);
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                foreach (double beta in new[] { 0.0, 0.5 })
                {
                    var cpu = Gemm(Device.Cpu, transA, transB, m, n, k, beta);
                    var gpu = Gemm(accelerator, transA, transB, m, n, k, beta);
                    for (int i = 0; i < cpu.Length; i++)
                    {
                        Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"{device}, transA {transA}, transB {transB}, beta {beta}: element {i} is {gpu[i]}, cpu {cpu[i]}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(GpuDevices.Accelerators), MemberType = typeof(GpuDevices))]
    public void Repeated_large_products_are_the_same_every_time(string device)
    {
        var accelerator = Accelerator(device);
        float[] first = Gemm(accelerator, false, false, 256, 256, 96, 0);
        for (int run = 0; run < 4; run++)
        {
            Assert.Equal(first, Gemm(accelerator, false, false, 256, 256, 96, 0));
        }
    }

    [Theory]
    [MemberData(nameof(GpuDevices.Accelerators), MemberType = typeof(GpuDevices))]
    public void The_tiled_transpose_matches_the_cpu(string device)
    {
        var accelerator = Accelerator(device);
        foreach (var (rows, cols) in new[] { (1, 1), (17, 3), (64, 64), (131, 257), (300, 70) })
        {
            using var x = Tensor.Rand([rows, cols], seed: rows + cols, device: Device.Cpu);
            using var onDevice = x.To(accelerator);
            using var y = Tensor.Zeros([cols, rows], accelerator);
            BackendRegistry.Get(accelerator).Transpose2D(onDevice.Buffer, rows, cols, y.Buffer);
            Assert.Equal(x.Transpose().ToArray(), y.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(ReduceShapes))]
    public void Long_reductions_match_the_cpu(string device, int outer, int axis, int inner)
    {
        var accelerator = Accelerator(device);
        var random = new Random(outer + axis + inner);
        float[] values = [.. Enumerable.Range(0, outer * axis * inner).Select(_ => (float)(random.NextDouble() - 0.5))];
        foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Max })
        {
            float[] cpu = Reduce(Device.Cpu, op, values, outer, axis, inner);
            float[] gpu = Reduce(accelerator, op, values, outer, axis, inner);
            for (int i = 0; i < cpu.Length; i++)
            {
                Assert.True(cpu[i] == gpu[i] || Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"{device} {op} output {i}: {gpu[i]}, cpu {cpu[i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GpuDevices.Accelerators), MemberType = typeof(GpuDevices))]
    public void The_squared_norm_of_a_long_vector_matches_the_cpu(string device)
    {
        var accelerator = Accelerator(device);
        using var cpu = Tensor.Rand([100_003], seed: 4, device: Device.Cpu);
        using var gpu = cpu.To(accelerator);

        double expected = BackendRegistry.Get(Device.Cpu).SumOfSquares(cpu.Buffer);
        Assert.Equal(expected, BackendRegistry.Get(accelerator).SumOfSquares(gpu.Buffer), expected * 1e-6);
    }

    private static Device Accelerator(string name)
    {
        var device = Device.Parse(name);
        GpuDevices.RequireOrSkip(device);
        return device;
    }

    private static float[] Gemm(Device device, bool transA, bool transB, int m, int n, int k, double beta)
    {
        using var a = Tensor.Rand(transA ? new Shape(k, m) : new Shape(m, k), seed: 1, device: device);
        using var b = Tensor.Rand(transB ? new Shape(n, k) : new Shape(k, n), seed: 2, device: device);
        using var c = Tensor.Rand([m, n], seed: 3, device: device);
        BackendRegistry.Get(device).Gemm(transA, transB, m, n, k, 1.5, a.Buffer, b.Buffer, beta, c.Buffer);
        return c.ToArray();
    }

    private static float[] Reduce(Device device, ReduceOp op, float[] values, int outer, int axis, int inner)
    {
        using var x = Tensor.FromArray(values, [values.Length], device);
        using var y = Tensor.Zeros([outer * inner], device);
        BackendRegistry.Get(device).Reduce(op, x.Buffer, outer, axis, inner, y.Buffer);
        return y.ToArray();
    }
}
