using System.Collections.Concurrent;
using TensorGrad.Backends;
using TensorGrad.Backends.Cpu;

namespace TensorGrad.Tests.Cpu;

/// <summary>
/// The part scheduler with more helpers than cores (seven on any machine), as a many-core
/// machine runs it: thousands of runs from two callers at once with varying part counts, nested
/// runs and parallel GEMMs that accumulate into C (beta ≠ 0, where a part run twice would show).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PartJobStressTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task With_seven_helpers_every_part_runs_once_and_every_caller_returns()
    {
        CpuWorkers.UseHelpers(7);
        try
        {
            Assert.Equal(8, CpuWorkers.Threads);
            var threads = new ConcurrentDictionary<int, bool>();
            var all = Task.WhenAll(Task.Run(() => Runs(1, threads)), Task.Run(() => Runs(2, threads)), Task.Run(Gemms));
            var first = await Task.WhenAny(all, Task.Delay(Limit, TestContext.Current.CancellationToken));
            Assert.True(first == all, $"a caller did not return within {Limit.TotalMinutes} minutes: it waits forever");
            Assert.All(await all, Assert.Null);
            // The two callers and at least two helpers, so the stress reached more helpers than a
            // 2-core machine runs by default. Which of the seven get parts is up to the scheduler:
            // on two busy cores a run once saw only two of them take any.
            Assert.True(threads.Count > 3, $"parts ran on {threads.Count} threads; at most one helper took any");
        }
        finally
        {
            CpuWorkers.UseHelpers(Environment.ProcessorCount - 1);
        }
    }

    /// <summary>Runs of 1 to 16 parts, every fifth one nesting runs in its parts; the first problem found, or null.</summary>
    private static string? Runs(int seed, ConcurrentDictionary<int, bool> threads)
    {
        var random = new Random(seed);
        for (int run = 0; run < 20_000; run++)
        {
            int parts = random.Next(1, 17), inner = run % 5 == 0 ? random.Next(1, 9) : 0;
            var counts = new int[parts * Math.Max(1, inner)];
            if (inner == 0)
            {
                PartJob<(int[] Counts, ConcurrentDictionary<int, bool> Threads)>.Run(parts, (counts, threads), static (s, part) =>
                {
                    Interlocked.Increment(ref s.Counts[part]);
                    s.Threads.TryAdd(Environment.CurrentManagedThreadId, true);
                });
            }
            else
            {
                PartJob<(int[] Counts, int Inner)>.Run(parts, (counts, inner), static (s, outer) =>
                    PartJob<(int[] Counts, int Outer, int Inner)>.Run(s.Inner, (s.Counts, outer, s.Inner), static (t, part) => Interlocked.Increment(ref t.Counts[(t.Outer * t.Inner) + part])));
            }

            int wrong = Array.FindIndex(counts, c => c != 1);
            if (wrong >= 0)
            {
                return $"run {run} ({parts} parts, {inner} inner): part {wrong} ran {counts[wrong]} times";
            }
        }

        return null;
    }

    /// <summary>C = 1.5·A·B + 0.5·C on shapes large enough to split over every thread, against a float64 reference.</summary>
    private static string? Gemms()
    {
        var backend = BackendRegistry.Get(Device.Cpu);
        var random = new Random(3);
        for (int i = 0; i < 300; i++)
        {
            int m = random.Next(1, 160), n = random.Next(1, 160), k = random.Next(1, 200);
            float[] a = Values(random, m * k), b = Values(random, k * n), c = Values(random, m * n);
            using var ta = Tensor.FromArray(a, m, k);
            using var tb = Tensor.FromArray(b, k, n);
            using var tc = Tensor.FromArray(c, m, n);
            backend.Gemm(false, false, m, n, k, 1.5, ta.Buffer, tb.Buffer, 0.5, tc.Buffer);
            float[] result = tc.ToArray();
            for (int row = 0; row < m; row++)
            {
                for (int col = 0; col < n; col++)
                {
                    double expected = 0.5 * c[(row * n) + col];
                    for (int p = 0; p < k; p++)
                    {
                        expected += 1.5 * a[(row * k) + p] * b[(p * n) + col];
                    }

                    if (Math.Abs(result[(row * n) + col] - expected) > 1e-3 * Math.Max(1, Math.Abs(expected)))
                    {
                        return $"GEMM {m}×{n}×{k}: C[{row}, {col}] = {result[(row * n) + col]}, expected {expected}";
                    }
                }
            }
        }

        return null;
    }

    private static float[] Values(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5))];
}
