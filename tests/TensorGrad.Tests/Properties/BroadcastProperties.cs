using CsCheck;

namespace TensorGrad.Tests.Properties;

/// <summary>NumPy broadcasting of two random shapes against a reference of the rule, shape and values.</summary>
public sealed class BroadcastProperties
{
    /// <summary>A shape of rank 0 to 4 with dimensions 0 to 3, biased to 1 so many pairs broadcast.</summary>
    private static readonly Gen<int[]> Shapes = Gen.Int[0, 4].SelectMany(rank => Gen.OneOf(0, 1, 1, 1, 2, 3).Array[rank]);

    [Fact]
    public void Binary_ops_broadcast_as_numpy_or_refuse_naming_both_shapes()
    {
        Gen.Select(Shapes, Shapes, Gen.Int[0, 3]).Sample((a, b, op) =>
        {
            var expected = Broadcast(a, b);
            float[] av = Values(a, 1), bv = Values(b, 2);
            using var x = Tensor.FromArray(av, new Shape(a), Device.Cpu);
            using var y = Tensor.FromArray(bv, new Shape(b), Device.Cpu);
            if (expected is null)
            {
                var e = Assert.Throws<ArgumentException>(() => Apply(op, x, y));
                Assert.Contains(new Shape(a).ToString(), e.Message);
                Assert.Contains(new Shape(b).ToString(), e.Message);
                return;
            }

            using var z = Apply(op, x, y);
            Assert.Equal(new Shape(expected), z.Shape);
            float[] actual = z.ToArray();
            for (int i = 0; i < actual.Length; i++)
            {
                float l = av[SourceIndex(i, expected, a)], r = bv[SourceIndex(i, expected, b)];
                float want = op switch { 0 => l + r, 1 => l - r, 2 => l * r, _ => l / r };
                Assert.Equal(want, actual[i]);
            }
        }, iter: Budget.Iterations);
    }

    private static Tensor Apply(int op, Tensor x, Tensor y) => op switch { 0 => x + y, 1 => x - y, 2 => x * y, _ => x / y };

    private static float[] Values(int[] shape, int salt) =>
        [.. Enumerable.Range(0, (int)new Shape(shape).Size).Select(i => (float)((((i * 7) + salt) % 11) + 1) / 4)];

    /// <summary>The broadcast shape by NumPy's rule (align right; sizes equal or one of them 1), or null.</summary>
    private static int[]? Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int x = d - rank + a.Length >= 0 ? a[d - rank + a.Length] : 1;
            int y = d - rank + b.Length >= 0 ? b[d - rank + b.Length] : 1;
            if (x != y && x != 1 && y != 1)
            {
                return null;
            }

            result[d] = x == 1 ? y : x;
        }

        return result;
    }

    /// <summary>The flat index in a source of <paramref name="source"/> shape that output element <paramref name="flat"/> reads.</summary>
    private static int SourceIndex(int flat, int[] output, int[] source)
    {
        int index = 0, stride = 1;
        for (int d = output.Length - 1; d >= 0; d--)
        {
            int coordinate = flat % output[d];
            flat /= output[d];
            int s = d - output.Length + source.Length;
            if (s >= 0)
            {
                index += (source[s] == 1 ? 0 : coordinate) * stride;
                stride *= source[s];
            }
        }

        return index;
    }
}
