using TensorGrad.Backends;

namespace TensorGrad.Tests.Gpu;

/// <summary>
/// GPU kernels the shared suite reaches only at small sizes, checked against the CPU backend on
/// ILGPU's CPU accelerator: the tiled GEMM (products of at least 64 × 64) in every layout with
/// alpha and beta, and reductions long enough to use the group-per-output kernel.
/// </summary>
public sealed class GpuKernelTests
{
    private static readonly Device Accelerator = Device.IlgpuCpu();

    [Theory]
    [InlineData(64, 64, 64)]
    [InlineData(67, 129, 45)]
    [InlineData(130, 65, 1)]
    [InlineData(65, 97, 200)]
    public void The_tiled_gemm_matches_the_cpu_in_every_layout_with_alpha_and_beta(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                foreach (double beta in new[] { 0.0, 0.5 })
                {
                    var cpu = Gemm(Device.Cpu, transA, transB, m, n, k, beta);
                    var gpu = Gemm(Accelerator, transA, transB, m, n, k, beta);
                    for (int i = 0; i < cpu.Length; i++)
                    {
                        Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"transA {transA}, transB {transB}, beta {beta}: element {i} is {gpu[i]}, cpu {cpu[i]}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 5000, 1)]
    [InlineData(3, 1000, 2)]
    [InlineData(2, 0, 3)]
    public void Long_reductions_match_the_cpu(int outer, int axis, int inner)
    {
        var random = new Random(outer + axis + inner);
        float[] values = [.. Enumerable.Range(0, outer * axis * inner).Select(_ => (float)(random.NextDouble() - 0.5))];
        foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Max })
        {
            float[] cpu = Reduce(Device.Cpu, op, values, outer, axis, inner);
            float[] gpu = Reduce(Accelerator, op, values, outer, axis, inner);
            for (int i = 0; i < cpu.Length; i++)
            {
                Assert.True(cpu[i] == gpu[i] || Math.Abs(cpu[i] - gpu[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu[i])), $"{op} output {i}: {gpu[i]}, cpu {cpu[i]}");
            }
        }
    }

    [Fact]
    public void The_squared_norm_of_a_long_vector_matches_the_cpu()
    {
        using var cpu = Tensor.Rand([100_003], seed: 4, device: Device.Cpu);
        using var gpu = cpu.To(Accelerator);

        double expected = BackendRegistry.Get(Device.Cpu).SumOfSquares(cpu.Buffer);
        Assert.Equal(expected, BackendRegistry.Get(Accelerator).SumOfSquares(gpu.Buffer), expected * 1e-6);
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
