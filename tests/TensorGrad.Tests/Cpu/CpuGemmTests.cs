using System.Numerics;
using TensorGrad.Backends.Cpu.Gemm;

namespace TensorGrad.Tests.Cpu;

public class CpuGemmTests
{
    // (m, n, k): empty, scalar, odd sizes straddling the register tiles and the KC (256 float /
    // 128 double) and NC (512) blocks, tall-skinny, MLP layers, and sizes large enough to be split
    // across threads; single-row and single-column products (the matrix-vector path), including
    // ones split over cores and into several accumulation chunks; shallow products (depth 1 to 4 and
    // one past it: the outer-product path), including ones split over cores; products with 2 to 8
    // rows (the dot-product path for A·Bᵀ, B read where it lies for A·B), with depths and widths
    // that leave a vector tail, a ragged register tile, or no whole tile, and ones split over cores.
    private static readonly (int M, int N, int K)[] s_shapes =
    [
        (2, 784, 256), (4, 256, 784), (8, 96, 3000), (3, 31, 19), (6, 33, 101), (5, 130, 70),
        (0, 5, 7), (5, 0, 7), (0, 0, 0), (1, 1, 1), (1, 7, 3), (7, 1, 3),
        (7, 17, 33), (33, 7, 17), (17, 65, 129), (65, 129, 7), (129, 33, 257), (257, 65, 17),
        (13, 1100, 40), (1000, 3, 5), (3, 1000, 7), (32, 256, 128), (32, 128, 256), (300, 260, 200),
        (1, 256, 784), (1, 2500, 300), (3000, 1, 100), (1, 1, 5000),
        (256, 784, 1), (9, 13, 2), (33, 17, 3), (300, 700, 4), (31, 65, 5),
    ];

    public static TheoryData<bool, bool, int, int, int> AllShapes()
    {
        var data = new TheoryData<bool, bool, int, int, int>();
        foreach ((int m, int n, int k) in s_shapes)
        {
            foreach (bool transA in new[] { false, true })
            {
                foreach (bool transB in new[] { false, true })
                {
                    data.Add(transA, transB, m, n, k);
                }
            }
        }

        return data;
    }

    public static TheoryData<bool, bool, int, int, int> ScaledShapes() => new()
    {
        { false, false, 7, 17, 33 },
        { true, false, 65, 33, 129 },
        { false, true, 17, 40, 300 },
        { true, true, 129, 65, 7 },
        { false, true, 200, 300, 150 },
        { false, false, 1, 1500, 40 },
        { true, true, 70, 1, 33 },
        { true, false, 256, 784, 1 },
        { false, false, 33, 17, 3 },
        { true, true, 40, 30, 1 },
    };

    [Theory]
    [MemberData(nameof(AllShapes))]
    public void Float_MatchesReference(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 1f, 0f, float.NaN);

    [Theory]
    [MemberData(nameof(AllShapes))]
    public void Float_BiasAndReluEpilogue_MatchesReference(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 1f, 0f, float.NaN, epilogue: true);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Double_BiasAndReluEpilogue_WithGeneralAlphaBeta(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 1.5, 0.5, 0.0, epilogue: true);

    [Theory]
    [MemberData(nameof(AllShapes))]
    public void Double_MatchesReference(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 1d, 0d, double.NaN);

    [Fact]
    public void Float_MlpForwardShape_TransposedWeights() =>
        Check(false, true, 128, 256, 784, 1f, 0f, float.NaN);

    [Fact]
    public void Double_MlpForwardShape_TransposedWeights() =>
        Check(false, true, 128, 256, 784, 1d, 0d, double.NaN);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Float_HalfAlpha_ZeroBeta_IgnoresNaNInC(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 0.5f, 0f, float.NaN);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Double_HalfAlpha_ZeroBeta_IgnoresNaNInC(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 0.5d, 0d, double.NaN);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Float_UnitBeta_Accumulates(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 1f, 1f, 0f);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Double_UnitBeta_Accumulates(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, 1d, 1d, 0d);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Float_GeneralAlphaBeta(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, -1.5f, 0.25f, 0f);

    [Theory]
    [MemberData(nameof(ScaledShapes))]
    public void Double_GeneralAlphaBeta(bool transA, bool transB, int m, int n, int k) =>
        Check(transA, transB, m, n, k, -1.5d, 0.25d, 0d);

    [Fact]
    public void ZeroK_ScalesC()
    {
        float[] c = [1f, -2f, 3f, 4f, 5f, 6f];
        CpuGemm.Gemm(false, false, 2, 3, 0, 1f, [], [], 0.5f, c);
        Assert.Equal([0.5f, -1f, 1.5f, 2f, 2.5f, 3f], c);
    }

    [Fact]
    public void ZeroK_AppliesTheEpilogueToTheScaledC()
    {
        float[] c = [1f, -2f, 3f, 4f, 5f, -6f];
        CpuGemm.Gemm(false, false, 2, 3, 0, 1f, [], [], 0.5f, c, bias: [1f, 0f, -2f], relu: true);
        Assert.Equal([1.5f, 0f, 0f, 3f, 2.5f, 0f], c);
    }

    [Fact]
    public void ZeroK_ZeroBeta_ClearsNaN()
    {
        double[] c = [double.NaN, double.NaN, double.PositiveInfinity, 1d];
        CpuGemm.Gemm(true, true, 2, 2, 0, 1d, [], [], 0d, c);
        Assert.Equal([0d, 0d, 0d, 0d], c);
    }

    [Fact]
    public void ZeroAlpha_ScalesCOnly()
    {
        float[] c = [2f, 4f];
        CpuGemm.Gemm(false, false, 1, 2, 1, 0f, [float.NaN], [1f, 1f], 0.5f, c);
        Assert.Equal([1f, 2f], c);
    }

    [Fact]
    public void RepeatedCalls_GiveIdenticalResults()
    {
        (float[] a, float[] b, _) = Inputs<float>(false, 300, 260, 200, 0f);
        float[] first = new float[300 * 260];
        float[] second = new float[300 * 260];
        CpuGemm.Gemm(false, false, 300, 260, 200, 1f, a, b, 0f, first);
        CpuGemm.Gemm(false, false, 300, 260, 200, 1f, a, b, 0f, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void ShortArrays_Throw()
    {
        float[] ok = new float[6];
        Assert.Throws<ArgumentException>(() => CpuGemm.Gemm(false, false, 2, 3, 1, 1f, new float[1], ok, 0f, ok));
        Assert.Throws<ArgumentException>(() => CpuGemm.Gemm(false, false, 2, 3, 1, 1f, ok, new float[2], 0f, ok));
        Assert.Throws<ArgumentException>(() => CpuGemm.Gemm(false, false, 2, 3, 1, 1f, ok, ok, 0f, new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGemm.Gemm(false, false, -1, 3, 1, 1f, ok, ok, 0f, ok));
    }

    // With `epilogue`, a random bias is added to every row and ReLU applied, as a Linear+ReLU layer does.
    private static void Check<T>(bool transA, bool transB, int m, int n, int k, T alpha, T beta, T cFill, bool epilogue = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] a, T[] b, T[] c) = Inputs(!T.IsNaN(cFill), m, n, k, cFill);
        T[] c0 = (T[])c.Clone();
        T[] storedA = transA ? Transpose(a, m, k) : a;
        T[] storedB = transB ? Transpose(b, k, n) : b;
        T[]? bias = epilogue ? Fill<T>(new Random(n), n) : null;

        CpuGemm.Gemm(transA, transB, m, n, k, alpha, storedA, storedB, beta, c, bias, relu: epilogue);

        double al = double.CreateTruncating(alpha);
        double be = double.CreateTruncating(beta);
        double rtol = (typeof(T) == typeof(float) ? 1e-5 : 1e-13) * Math.Sqrt(Math.Max(k, 1));
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double product = double.CreateTruncating(a[(i * k) + p]) * double.CreateTruncating(b[(p * n) + j]);
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                double expected = al * sum;
                magnitude *= Math.Abs(al);
                if (be != 0)
                {
                    double prior = double.CreateTruncating(c0[(i * n) + j]);
                    expected += be * prior;
                    magnitude += Math.Abs(be * prior);
                }

                if (bias is not null)
                {
                    expected = Math.Max(0, expected + double.CreateTruncating(bias[j]));
                    magnitude += Math.Abs(double.CreateTruncating(bias[j]));
                }

                double actual = double.CreateTruncating(c[(i * n) + j]);
                double error = Math.Abs(actual - expected);
                Assert.True(double.IsFinite(actual) && error <= (rtol * magnitude) + 1e-30,
                    $"C[{i},{j}] = {actual}, expected {expected} (error {error:E2}, m={m} n={n} k={k} tA={transA} tB={transB})");
            }
        }
    }

    // Row-major a (m×k), b (k×n) with values in [-1, 1), and C (m×n) filled with cFill or random values.
    private static (T[] A, T[] B, T[] C) Inputs<T>(bool randomC, int m, int n, int k, T cFill)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random((m * 7919) + (n * 104729) + k);
        T[] a = Fill<T>(rng, m * k);
        T[] b = Fill<T>(rng, k * n);
        T[] c = randomC ? Fill<T>(rng, m * n) : Enumerable.Repeat(cFill, m * n).ToArray();
        return (a, b, c);
    }

    private static T[] Fill<T>(Random rng, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        return values;
    }

    // Returns the cols×rows transpose of a row-major rows×cols matrix.
    private static T[] Transpose<T>(T[] source, int rows, int cols)
    {
        var result = new T[source.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                result[(c * rows) + r] = source[(r * cols) + c];
            }
        }

        return result;
    }
}
