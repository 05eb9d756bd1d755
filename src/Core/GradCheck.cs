
namespace TensorGrad;

/// <summary>The outcome of <see cref="GradCheck.Check"/>: the worst element found, analytic vs numeric.</summary>
/// <param name="Passed">True when every checked element is within tolerance.</param>
/// <param name="InputIndex">Index of the input holding the worst element (-1 when nothing was checked).</param>
/// <param name="ElementIndex">Row-major index of the worst element in that input.</param>
/// <param name="Analytic">The gradient from <see cref="Tensor.Backward()"/> at that element.</param>
/// <param name="Numeric">The central-difference estimate at that element.</param>
/// <param name="Ratio">|analytic - numeric| / (atol + rtol·|numeric|) at the worst element; ≤ 1 passes.</param>
public sealed record GradCheckResult(bool Passed, int InputIndex, long ElementIndex, double Analytic, double Numeric, double Ratio)
{
    /// <summary>A one-line report naming the worst element.</summary>
    public override string ToString() =>
        $"GradCheck {(Passed ? "passed" : "FAILED")}: worst at input {InputIndex}, element {ElementIndex}: analytic {Analytic:G9} vs numeric {Numeric:G9} (error/tolerance {Ratio:G3})";
}

/// <summary>
/// Checks analytic gradients against central finite differences in float64, so users can
/// verify their own functions and ops.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Compares the gradient of <c>sum(f(inputs) · R)</c> (R a fixed random projection, so any
    /// output shape works) with respect to each input whose <see cref="Tensor.RequiresGrad"/> is
    /// set, against central differences with step <paramref name="epsilon"/>. Inputs are copied to
    /// float64 on their device (which must support it); the originals are not modified.
    /// An element passes when |analytic - numeric| ≤ atol + rtol·|numeric|.
    /// </summary>
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, Tensor[] inputs, double epsilon = 1e-6, double absoluteTolerance = 1e-6, double relativeTolerance = 1e-4, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!inputs.Any(t => t.RequiresGrad))
        {
            throw new ArgumentException("GradCheck: no input has RequiresGrad set, so there is nothing to check.", nameof(inputs));
        }

        var values = inputs.Select(t => t.ToDoubleArray()).ToArray();
        var copies = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            copies[i] = Tensor.FromArray(values[i], inputs[i].Shape, inputs[i].Device, DType.Float64);
            copies[i].RequiresGrad = inputs[i].RequiresGrad;
        }

        Tensor projection;
        using (var tape = Tape.Begin())
        {
            var output = function(copies);
            projection = Tensor.Randn(output.Shape, seed, output.Device, DType.Float64);
            (output * projection).Sum().Backward();
        }

        double Objective()
        {
            using var noGrad = Tape.NoGrad();
            using var scratch = Tape.Begin();
            return (function(copies) * projection).Sum().ToDoubleArray()[0];
        }

        var worst = new GradCheckResult(true, -1, -1, 0, 0, 0);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].RequiresGrad)
            {
                continue;
            }

            var analytic = copies[i].Grad?.ToDoubleArray() ?? new double[inputs[i].Size];
            for (int j = 0; j < values[i].Length; j++)
            {
                double original = values[i][j];
                values[i][j] = original + epsilon;
                copies[i].Backend.Upload(values[i], copies[i].Buffer);
                double plus = Objective();
                values[i][j] = original - epsilon;
                copies[i].Backend.Upload(values[i], copies[i].Buffer);
                double minus = Objective();
                values[i][j] = original;
                copies[i].Backend.Upload(values[i], copies[i].Buffer);

                double numeric = (plus - minus) / (2 * epsilon);
                double ratio = Math.Abs(analytic[j] - numeric) / (absoluteTolerance + (relativeTolerance * Math.Abs(numeric)));
                if (double.IsNaN(ratio))
                {
                    ratio = double.PositiveInfinity;
                }

                if (worst.InputIndex < 0 || ratio > worst.Ratio)
                {
                    worst = new GradCheckResult(ratio <= 1, i, j, analytic[j], numeric, ratio);
                }
            }
        }

        return worst;
    }
}
