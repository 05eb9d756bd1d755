using TensorGrad.Backends.Cpu;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// A steady training step on the CPU reuses pooled storage and keeps its managed allocations small.
/// It counts the backend's buffer allocations, so it runs alone (<see cref="SerialCollection"/>).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SteadyStepTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(512)]
    public void A_steady_mlp_training_step_takes_no_new_buffers_and_allocates_little(int batch)
    {
        var model = new Sequential(new Linear(784, 256, seed: 1), new ReLU(), new Linear(256, 128, seed: 2), new ReLU(), new Linear(128, 10, seed: 3));
        var optimizer = new Adam(model.Parameters());
        using var x = Tensor.Rand([batch, 784], seed: 4);
        using var y = Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % 10))], [batch]);
        void Step()
        {
            using var tape = Tape.Begin();
            var loss = Loss.CrossEntropy(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }

        for (int i = 0; i < 3; i++)
        {
            Step();
        }

        long buffers = CpuBackend.Instance.BufferAllocations;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Step();
        }

        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        Assert.Equal(buffers, CpuBackend.Instance.BufferAllocations);

        // Tensor objects, their shapes and tape nodes remain (about 2.9 KB); pooled storage, kernel
        // dispatch and parallel parts allocate nothing, so a regression shows up as kilobytes more.
        Assert.InRange(perStep, 0, 4000);
    }
}
