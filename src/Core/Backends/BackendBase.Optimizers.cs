namespace TensorGrad.Backends;

/// <summary>
/// Composite defaults for the optimizer steps and the squared norm, built from the elementwise
/// and reduction primitives, so a new backend runs training before it has fused kernels. Each
/// default takes a few temporaries and several passes where a fused kernel takes one.
/// </summary>
public abstract partial class BackendBase
{
    /// <inheritdoc />
    /// <remarks>Default: square into a temporary, sum it with <see cref="Reduce"/>, read the one value back.</remarks>
    public virtual double SumOfSquares(DeviceBuffer x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length == 0)
        {
            return 0;
        }

        var squares = Allocate(x.Length, x.DType);
        var total = Allocate(1, x.DType);
        try
        {
            Unary(UnaryOp.Square, x, squares);
            Reduce(ReduceOp.Sum, squares, 1, checked((int)x.Length), 1, total);
            var value = new double[1];
            Download(total, value);
            return value[0];
        }
        finally
        {
            Release(squares);
            Release(total);
        }
    }

    /// <inheritdoc />
    /// <remarks>Default: <see cref="SgdUpdate"/>'s rule as a sequence of elementwise kernels.</remarks>
    public virtual void SgdStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer? velocity, in SgdUpdate update)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        var shape = new Shape(checked((int)parameter.Length));
        var d = Allocate(parameter.Length, parameter.DType);
        try
        {
            Copy(gradient, d);
            AddScaled(d, parameter, update.WeightDecay, shape);
            if (velocity is not null && update.Momentum != 0)
            {
                if (update.FirstStep)
                {
                    Copy(d, velocity);
                }
                else
                {
                    Scalar(ScalarOp.Mul, velocity, update.Momentum, velocity);
                    AddScaled(velocity, d, update.Keep, shape);
                }

                if (update.Nesterov)
                {
                    AddScaled(d, velocity, update.Momentum, shape);
                }
                else
                {
                    Copy(velocity, d);
                }
            }

            AddScaled(parameter, d, -update.LearningRate, shape);
        }
        finally
        {
            Release(d);
        }
    }

    /// <inheritdoc />
    /// <remarks>Default: <see cref="AdamUpdate"/>'s rule as a sequence of elementwise kernels.</remarks>
    public virtual void AdamStep(DeviceBuffer parameter, DeviceBuffer gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(firstMoment);
        ArgumentNullException.ThrowIfNull(secondMoment);
        var shape = new Shape(checked((int)parameter.Length));
        var g = Allocate(parameter.Length, parameter.DType);
        var scratch = Allocate(parameter.Length, parameter.DType);
        try
        {
            Copy(gradient, g);
            AddScaled(g, parameter, update.CoupledDecay, shape);
            if (update.Shrink != 1)
            {
                Scalar(ScalarOp.Mul, parameter, update.Shrink, parameter);
            }

            // m = β₁m + (1 - β₁)g; v = β₂v + (1 - β₂)g²
            Scalar(ScalarOp.Mul, firstMoment, update.Beta1, firstMoment);
            AddScaled(firstMoment, g, update.OneMinusBeta1, shape);
            Unary(UnaryOp.Square, g, scratch);
            Scalar(ScalarOp.Mul, secondMoment, update.Beta2, secondMoment);
            AddScaled(secondMoment, scratch, update.OneMinusBeta2, shape);

            // p -= stepSize · m / (√v / √(1 - β₂ᵗ) + ε)
            Unary(UnaryOp.Sqrt, secondMoment, scratch);
            Scalar(ScalarOp.Mul, scratch, update.InverseBiasCorrection2Sqrt, scratch);
            Scalar(ScalarOp.Add, scratch, update.Epsilon, scratch);
            Binary(BinaryOp.Div, firstMoment, shape, scratch, shape, scratch, shape);
            AddScaled(parameter, scratch, -update.StepSize, shape);
        }
        finally
        {
            Release(g);
            Release(scratch);
        }
    }

    /// <inheritdoc />
    /// <remarks>Default: the product into a temporary with <see cref="Gemm"/>, then the buffer's <see cref="SgdStep(DeviceBuffer, DeviceBuffer, DeviceBuffer?, in SgdUpdate)"/>.</remarks>
    public virtual void SgdStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer? velocity, in SgdUpdate update)
    {
        var product = Product(parameter, gradient);
        try
        {
            SgdStep(parameter, product, velocity, update);
        }
        finally
        {
            Release(product);
        }
    }

    /// <inheritdoc />
    /// <remarks>Default: the product into a temporary with <see cref="Gemm"/>, then the buffer's <see cref="AdamStep(DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, in AdamUpdate)"/>.</remarks>
    public virtual void AdamStep(DeviceBuffer parameter, in LinearWeightGradient gradient, DeviceBuffer firstMoment, DeviceBuffer secondMoment, in AdamUpdate update)
    {
        var product = Product(parameter, gradient);
        try
        {
            AdamStep(parameter, product, firstMoment, secondMoment, update);
        }
        finally
        {
            Release(product);
        }
    }

    /// <summary>The weight gradient <paramref name="gradient"/> describes, in a new buffer typed like <paramref name="parameter"/>.</summary>
    private DeviceBuffer Product(DeviceBuffer parameter, in LinearWeightGradient gradient)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var product = Allocate(gradient.Length, parameter.DType);
        Gemm(true, false, gradient.OutFeatures, gradient.InFeatures, gradient.Rows, gradient.Scale, gradient.GradOutput, gradient.Input, 0.0, product);
        return product;
    }

    /// <summary>y += factor · x for buffers of <paramref name="shape"/> (x is left unchanged); nothing when factor is 0.</summary>
    private void AddScaled(DeviceBuffer y, DeviceBuffer x, double factor, Shape shape)
    {
        if (factor == 0)
        {
            return;
        }

        var scaled = Allocate(x.Length, x.DType);
        try
        {
            Scalar(ScalarOp.Mul, x, factor, scaled);
            Binary(BinaryOp.Add, y, shape, scaled, shape, y, shape);
        }
        finally
        {
            Release(scaled);
        }
    }
}
