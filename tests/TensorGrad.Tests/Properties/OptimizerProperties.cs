using CsCheck;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Properties;

/// <summary>SGD, Adam and AdamW on float64 parameters against a scalar reference of PyTorch's rules, for random hyperparameters and gradients.</summary>
public sealed class OptimizerProperties
{
    private static readonly Gen<double[][]> Gradients = Gen.Double[-3, 3].Array[5].Array[1, 6];

    [Fact]
    public void Sgd_matches_the_scalar_rule()
    {
        Gen.Select(Gen.Double[1e-4, 1], Gen.Double[0, 0.99], Gen.Double[0, 1], Gen.Double[0, 0.1], Gen.Bool, Gradients).Sample((lr, momentum, dampening, decay, nesterov, gradients) =>
        {
            bool useNesterov = nesterov && momentum > 0 && dampening == 0;
            var actual = Run(p => new Sgd(p, lr, momentum, useNesterov ? 0 : dampening, decay, useNesterov), gradients);
            double[] p = Start(), velocity = new double[p.Length];
            for (int t = 0; t < gradients.Length; t++)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    double d = gradients[t][i] + (decay * p[i]);
                    if (momentum > 0)
                    {
                        velocity[i] = t == 0 ? d : (momentum * velocity[i]) + ((1 - (useNesterov ? 0 : dampening)) * d);
                        d = useNesterov ? d + (momentum * velocity[i]) : velocity[i];
                    }

                    p[i] -= lr * d;
                }
            }

            AssertClose(p, actual);
        }, iter: Budget.Iterations);
    }

    [Fact]
    public void Adam_and_AdamW_match_the_scalar_rule()
    {
        Gen.Select(Gen.Double[1e-4, 0.5], Gen.Double[0, 0.99], Gen.Double[0.5, 0.9999], Gen.Double[0, 0.1], Gen.Bool, Gradients).Sample((lr, beta1, beta2, decay, decoupled, gradients) =>
        {
            const double eps = 1e-8;
            var actual = Run(p => decoupled ? new AdamW(p, lr, beta1, beta2, eps, decay) : new Adam(p, lr, beta1, beta2, eps, decay), gradients);
            double[] p = Start(), m = new double[p.Length], v = new double[p.Length];
            for (int t = 1; t <= gradients.Length; t++)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    double g = gradients[t - 1][i] + (decoupled ? 0 : decay * p[i]);
                    p[i] *= decoupled ? 1 - (lr * decay) : 1;
                    m[i] = (beta1 * m[i]) + ((1 - beta1) * g);
                    v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);
                    p[i] -= lr * (m[i] / (1 - Math.Pow(beta1, t))) / ((Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t))) + eps);
                }
            }

            AssertClose(p, actual);
        }, iter: Budget.Iterations);
    }

    private static double[] Start() => [0.5, -1, 2, 0, -0.25];

    /// <summary>The parameter after one step per gradient row, on the CPU in float64.</summary>
    private static double[] Run(Func<Tensor[], Optimizer> make, double[][] gradients)
    {
        using var p = Tensor.FromArray(Start(), new Shape(5), Device.Cpu, DType.Float64);
        p.RequiresGrad = true;
        var optimizer = make([p]);
        foreach (double[] g in gradients)
        {
            p.Grad = Tensor.FromArray(g, new Shape(5), Device.Cpu, DType.Float64);
            optimizer.Step();
        }

        return p.ToDoubleArray();
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: {actual[i]}, reference {expected[i]}");
        }
    }
}
