using TensorGrad.Backends.Cpu;

namespace TensorGrad.Tests.Cpu;

public sealed class PartJobTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Every_part_runs_exactly_once_before_run_returns(int parts)
    {
        for (int call = 0; call < 50; call++)
        {
            var counts = new int[parts];
            PartJob<int[]>.Run(parts, counts, static (c, part) => Interlocked.Increment(ref c[part]));
            Assert.All(counts, c => Assert.Equal(1, c));
        }
    }

    [Fact]
    public void A_stream_of_runs_allocates_nothing_after_the_first()
    {
        // A state type of its own, so no other test shares these jobs; one delegate for every call.
        var counts = new int[2];
        Action<(int[] Counts, bool Stream), int> body = static (s, part) => Interlocked.Increment(ref s.Counts[part]);
        PartJob<(int[] Counts, bool Stream)>.Run(2, (counts, true), body);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int call = 0; call < 2000; call++)
        {
            PartJob<(int[] Counts, bool Stream)>.Run(2, (counts, true), body);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal([2001, 2001], counts);
    }

    [Fact]
    public void Parts_that_run_parts_finish_when_every_helper_is_busy()
    {
        // Each outer part (one of them on a helper) runs an inner job; with the helpers taken, the
        // inner callers do all the inner parts themselves.
        var counts = new int[4 * 5];
        PartJob<int[]>.Run(4, counts, static (c, outer) =>
            PartJob<(int[] Counts, int Outer)>.Run(5, (c, outer), static (s, inner) => Interlocked.Increment(ref s.Counts[(s.Outer * 5) + inner])));
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    [Fact]
    public void An_exception_in_a_part_reaches_the_caller_after_the_other_parts_finish()
    {
        var done = new int[4];
        var e = Assert.Throws<InvalidOperationException>(() => PartJob<int[]>.Run(4, done, static (d, part) =>
        {
            if (part == 3)
            {
                throw new InvalidOperationException("part 3 failed");
            }

            Interlocked.Increment(ref d[part]);
        }));

        Assert.Equal("part 3 failed", e.Message);
        Assert.Equal([1, 1, 1, 0], done);
    }

    [Fact]
    public void A_bad_class_id_in_a_batch_split_over_cores_is_reported_not_lost()
    {
        int rows = 200_000, classes = 10;
        using var logits = Tensor.Zeros([rows, classes]);
        float[] ids = [.. Enumerable.Range(0, rows).Select(i => (float)(i % classes))];
        ids[rows - 5] = 12;
        using var labels = Tensor.FromArray(ids, [rows]);

        var e = Assert.Throws<ArgumentException>(() => Nn.Loss.CrossEntropy(logits, labels));
        Assert.Contains($"row {rows - 5}", e.Message, StringComparison.Ordinal);
    }
}
