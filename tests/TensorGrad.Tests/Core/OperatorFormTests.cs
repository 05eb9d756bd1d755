using System.Numerics;
using System.Runtime.Intrinsics;
using TensorGrad.Backends;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Tests.Core;

/// <summary>
/// Every operator's vector forms (what the CPU runs) agree with its scalar form (what ILGPU kernels
/// run), for the function and its derivative, in float and double, on ordinary and special values.
/// </summary>
public sealed class OperatorFormTests
{
    private static readonly double[] Specials = [0, -0.0, 1e-30, -1e-30, 1e-6, 88, -88, 700, -700, double.PositiveInfinity, double.NegativeInfinity, double.NaN];

    public static TheoryData<UnaryOp> UnaryOpsWithParameters => [.. Enum.GetValues<UnaryOp>()];

    [Theory]
    [MemberData(nameof(UnaryOpsWithParameters))]
    public void Unary_vector_forms_match_the_scalar_form(UnaryOp op)
    {
        var f = new UnaryFunction(op, 0.2);
        UnaryOps.Run<float, UnaryChecker<float>>(f, new UnaryChecker<float>(Values(1), 2e-6));
        UnaryOps.Run<double, UnaryChecker<double>>(f, new UnaryChecker<double>(Values(2), 1e-13));
    }

    [Theory]
    [InlineData(BinaryOp.Add)]
    [InlineData(BinaryOp.Sub)]
    [InlineData(BinaryOp.Mul)]
    [InlineData(BinaryOp.Div)]
    public void Binary_vector_forms_match_the_scalar_form(BinaryOp op)
    {
        BinaryOps.Run<float, BinaryChecker<float>>(op, new BinaryChecker<float>(Values(3), Values(4), 0));
        BinaryOps.Run<double, BinaryChecker<double>>(op, new BinaryChecker<double>(Values(5), Values(6), 0));
    }

    [Theory]
    [InlineData(ScalarOp.ReverseSub)]
    [InlineData(ScalarOp.ReverseDiv)]
    [InlineData(ScalarOp.Pow)]
    [InlineData(ScalarOp.Max)]
    [InlineData(ScalarOp.Min)]
    public void Scalar_op_vector_forms_match_the_scalar_form(ScalarOp op)
    {
        BinaryOps.Run<float, BinaryChecker<float>>(op, new BinaryChecker<float>(Values(7), Values(8), 0));
        BinaryOps.Run<double, BinaryChecker<double>>(op, new BinaryChecker<double>(Values(9), Values(10), 0));
    }

    [Fact]
    public void Gradients_read_the_output_exactly_for_the_ops_that_keep_it()
    {
        var fromOutput = Enum.GetValues<UnaryOp>().Where(UnaryOps.GradientFromOutput).ToArray();
        Assert.Equal([UnaryOp.Sqrt, UnaryOp.Exp, UnaryOp.Sigmoid, UnaryOp.Tanh], fromOutput);
    }

    /// <summary>Random values in [-6, 6], then the special values; 64 in all (a whole number of vectors).</summary>
    private static double[] Values(int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, 64 - Specials.Length).Select(_ => (random.NextDouble() * 12) - 6), .. Specials];
    }

    private static void AssertAgree<T>(string what, T input, T scalar, T vector, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = double.CreateTruncating(scalar), v = double.CreateTruncating(vector);
        bool same = (double.IsNaN(s) && double.IsNaN(v)) || s == v || Math.Abs(s - v) <= tolerance * Math.Max(1, Math.Abs(s));
        Assert.True(same, $"{what} at {input}: scalar form {s:R}, vector form {v:R}");
    }

    private static T[] As<T>(double[] values)
        where T : unmanaged, IFloatingPointIeee754<T> => [.. values.Select(T.CreateTruncating)];

    private readonly struct UnaryChecker<T>(double[] values, double tolerance) : IUnaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IUnaryOperator<T>
        {
            var x = As<T>(values);
            var g = As<T>(Values(11));
            string name = typeof(TOp).Name;
            for (int i = 0; i < x.Length; i += Vector512<T>.Count)
            {
                var x512 = Vector512.Create<T>(x.AsSpan(i));
                var g512 = Vector512.Create<T>(g.AsSpan(i));
                var (y512, back512) = (op.Apply(x512), op.Backward(x512, g512));
                var (y256, back256) = (op.Apply(x512.GetLower()), op.Backward(x512.GetLower(), g512.GetLower()));
                for (int lane = 0; lane < Vector512<T>.Count; lane++)
                {
                    T xi = x[i + lane];
                    AssertAgree(name, xi, op.Apply(xi), y512[lane], tolerance);
                    AssertAgree(name + " backward", xi, op.Backward(xi, g[i + lane]), back512[lane], tolerance);
                    if (lane < Vector256<T>.Count)
                    {
                        AssertAgree(name + " (256)", xi, op.Apply(xi), y256[lane], tolerance);
                        AssertAgree(name + " backward (256)", xi, op.Backward(xi, g[i + lane]), back256[lane], tolerance);
                    }
                }
            }
        }
    }

    private readonly struct BinaryChecker<T>(double[] a, double[] b, double tolerance) : IBinaryOperatorRunner<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run<TOp>(TOp op)
            where TOp : struct, IBinaryOperator<T>
        {
            var x = As<T>(a);
            var y = As<T>(b);
            for (int i = 0; i < x.Length; i += Vector512<T>.Count)
            {
                var result512 = op.Apply(Vector512.Create<T>(x.AsSpan(i)), Vector512.Create<T>(y.AsSpan(i)));
                var result256 = op.Apply(Vector256.Create<T>(x.AsSpan(i)), Vector256.Create<T>(y.AsSpan(i)));
                for (int lane = 0; lane < Vector512<T>.Count; lane++)
                {
                    T expected = op.Apply(x[i + lane], y[i + lane]);
                    AssertAgree(typeof(TOp).Name, x[i + lane], expected, result512[lane], tolerance);
                    if (lane < Vector256<T>.Count)
                    {
                        AssertAgree(typeof(TOp).Name + " (256)", x[i + lane], expected, result256[lane], tolerance);
                    }
                }
            }
        }
    }
}
