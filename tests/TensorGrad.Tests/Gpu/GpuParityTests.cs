using TensorGrad.Backends;
using TensorGrad.Backends.Gpu;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Gpu;

/// <summary>
/// Cross-backend parity and device-memory and kernel reuse, on every ILGPU accelerator present.
/// The reuse test counts the shared backend's allocations, so the class runs alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class GpuParityTests
{
    [Theory]
    [MemberData(nameof(GpuDevices.Accelerators), MemberType = typeof(GpuDevices))]
    public void A_three_layer_mlp_trained_20_steps_ends_within_1e_4_relative_of_the_cpu(string device)
    {
        var accelerator = Device.Parse(device);
        GpuDevices.RequireOrSkip(accelerator);

        var (cpuLoss, cpuWeights) = Train(Device.Cpu, steps: 20);
        var (loss, weights) = Train(accelerator, steps: 20);

        Assert.True(cpuLoss[^1] < cpuLoss[0] * 0.7, $"the reference run did not learn: {cpuLoss[0]} → {cpuLoss[^1]}");
        Assert.Equal(cpuLoss.Length, loss.Length);
        for (int step = 0; step < loss.Length; step++)
        {
            Assert.True(Math.Abs(loss[step] - cpuLoss[step]) <= 1e-4 * Math.Abs(cpuLoss[step]), $"step {step}: loss {loss[step]} on {device}, {cpuLoss[step]} on cpu");
        }

        for (int i = 0; i < weights.Length; i++)
        {
            double difference = Math.Sqrt(weights[i].Zip(cpuWeights[i], (a, b) => (double)(a - b) * (a - b)).Sum());
            double norm = Math.Sqrt(cpuWeights[i].Sum(v => (double)v * v));
            Assert.True(difference <= 1e-4 * norm, $"parameter {i}: ‖Δ‖ = {difference:g3}, ‖w‖ = {norm:g3}");
        }
    }

    [Fact]
    public void A_steady_training_step_takes_no_new_device_memory_and_compiles_no_new_kernel()
    {
        var device = Device.IlgpuCpu();
        var backend = Assert.IsType<GpuBackend>(BackendRegistry.Get(device));
        var (model, optimizer, x, y) = Setup(device);
        Step(model, optimizer, x, y);
        Step(model, optimizer, x, y);
        long allocations = backend.DeviceAllocations;
        int kernels = backend.LoadedKernels;

        for (int i = 0; i < 3; i++)
        {
            Step(model, optimizer, x, y);
        }

        Assert.Equal(allocations, backend.DeviceAllocations);
        Assert.Equal(kernels, backend.LoadedKernels);
    }

    private static (double[] Loss, float[][] Weights) Train(Device device, int steps)
    {
        var (model, optimizer, x, y) = Setup(device);
        var losses = new double[steps];
        for (int step = 0; step < steps; step++)
        {
            losses[step] = Step(model, optimizer, x, y);
        }

        return (losses, [.. model.Parameters().Select(p => p.ToArray())]);
    }

    private static (Module Model, Optimizer Optimizer, Tensor X, Tensor Y) Setup(Device device)
    {
        var model = new Sequential
        {
            new Linear(8, 16, device, seed: 1),
            new ReLU(),
            new Linear(16, 16, device, seed: 2),
            new Tanh(),
            new Linear(16, 3, device, seed: 3),
        };
        var random = new Random(7);
        var x = Tensor.Rand([32, 8], random, -1, 1, device);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 32).Select(i => (float)(i % 3))], [32], device);
        return (model, new Adam(model.Parameters(), lr: 0.03), x, y);
    }

    private static double Step(Module model, Optimizer optimizer, Tensor x, Tensor y)
    {
        using var tape = Tape.Begin();
        var loss = Loss.CrossEntropy(model.Forward(x), y);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss.Item();
    }
}
