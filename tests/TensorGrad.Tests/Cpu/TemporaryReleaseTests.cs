using TensorGrad.Nn;

namespace TensorGrad.Tests.Cpu;

/// <summary>Composite ops used outside a tape return their temporaries to the pool, so repeated evaluation reuses storage.</summary>
public sealed class TemporaryReleaseTests
{
    // The fewest bytes one call allocates over three calls after a warm-up. An unpooled temporary
    // shows in every call; a one-off does not (the first part of a parallel GEMM this thread runs
    // grows its per-thread packing buffer once, and a helper may have taken every part before).
    private static long AllocatedBy(Action action)
    {
        action();
        long fewest = long.MaxValue;
        for (int call = 0; call < 3; call++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }

    [Fact]
    public void Linear_and_losses_outside_a_tape_do_not_leave_their_temporaries_unpooled()
    {
        // A [128, 256] float temporary is 128 KiB: anything near that means a buffer was not reused.
        var layer = new Linear(784, 256, seed: 1);
        using var x = Tensor.Rand([128, 784], 2);
        using var target = Tensor.Rand([128, 256], 3);
        using var probabilities = Tensor.Rand([128, 256], 4);
        using var classes = Tensor.FromArray([.. Enumerable.Range(0, 128).Select(i => (float)(i % 10))], 128);
        using var logits = Tensor.Rand([128, 10], 5);

        Assert.InRange(AllocatedBy(() => layer.Forward(x).Dispose()), 0, 4096);
        Assert.InRange(AllocatedBy(() => Loss.Mse(probabilities, target).Dispose()), 0, 4096);
        Assert.InRange(AllocatedBy(() => Loss.BinaryCrossEntropy(probabilities, target).Dispose()), 0, 8192);
        Assert.InRange(AllocatedBy(() => Loss.BinaryCrossEntropyWithLogits(probabilities, target).Dispose()), 0, 4096);
        Assert.InRange(AllocatedBy(() => Loss.CrossEntropy(logits, classes).Dispose()), 0, 4096);
    }

    [Fact]
    public void LayerNorm_outside_a_tape_returns_its_result_storage_for_inputs_of_any_rank()
    {
        // The result is a [64, 8, 128] float tensor (256 KiB); a result left unpooled shows as that much per call.
        var rows = new LayerNorm(128);
        var planes = new LayerNorm(new Shape(8, 128));
        using var x = Tensor.Rand([64, 8, 128], 1);
        using var flat = Tensor.Rand([512, 128], 2);

        Assert.InRange(AllocatedBy(() => rows.Forward(flat).Dispose()), 0, 4096);
        Assert.InRange(AllocatedBy(() => rows.Forward(x).Dispose()), 0, 4096);
        Assert.InRange(AllocatedBy(() => planes.Forward(x).Dispose()), 0, 4096);
    }
}
