using CsCheck;

namespace TensorGrad.Tests.Properties;

/// <summary>Sums, means, maxima and softmax along random axes of random shapes, empty ones included, against float64 references.</summary>
public sealed class ReductionProperties
{
    private static readonly Gen<(int[] Shape, int Axis, int Seed)> Cases =
        Gen.Int[1, 4].SelectMany(rank => Gen.Select(Gen.Int[0, 4].Array[rank], Gen.Int[0, rank - 1], Gen.Int[0, 1000]));

    [Fact]
    public void Reductions_along_an_axis_match_a_float64_reference()
    {
        Cases.Sample((shape, axis, seed) =>
        {
            var (outer, n, inner) = new Shape(shape).SplitAt(axis);
            float[] values = Values(shape, seed);
            using var x = Tensor.FromArray(values, new Shape(shape), Device.Cpu);
            float[] sum = x.Sum(axis).ToArray(), mean = x.Mean(axis).ToArray();
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < inner; i++)
                {
                    var along = Enumerable.Range(0, n).Select(a => (double)values[(((o * n) + a) * inner) + i]).ToArray();
                    int at = (o * inner) + i;
                    Assert.Equal(along.Sum(), sum[at], 1e-4);
                    if (n == 0)
                    {
                        Assert.True(float.IsNaN(mean[at]), $"the mean of an empty axis is {mean[at]}, not NaN (as in PyTorch)");
                    }
                    else
                    {
                        Assert.Equal(along.Average(), mean[at], 1e-4);
                    }
                }
            }

            if (n > 0)
            {
                float[] max = x.Max(axis).ToArray();
                float[] softmax = x.Softmax(axis).ToArray();
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        var along = Enumerable.Range(0, n).Select(a => (double)values[(((o * n) + a) * inner) + i]).ToArray();
                        Assert.Equal(along.Max(), max[(o * inner) + i]);
                        double total = along.Sum(v => Math.Exp(v - along.Max()));
                        for (int a = 0; a < n; a++)
                        {
                            Assert.Equal(Math.Exp(along[a] - along.Max()) / total, softmax[(((o * n) + a) * inner) + i], 1e-6);
                        }
                    }
                }
            }
            else
            {
                Assert.Equal(x.Shape, x.Softmax(axis).Shape);
            }
        }, iter: Budget.Iterations);
    }

    private static float[] Values(int[] shape, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, (int)new Shape(shape).Size).Select(_ => (float)((random.NextDouble() * 20) - 10))];
    }
}
