using TensorGrad.Autograd.Ops;
using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>Activation functions and (log-)softmax.</summary>
public sealed partial class Tensor
{
    /// <summary>Logistic sigmoid 1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid() => Elementwise.Unary(UnaryOp.Sigmoid, this);

    /// <summary>Rectified linear unit max(x, 0); its gradient at 0 is 0.</summary>
    public Tensor Relu() => Elementwise.Unary(UnaryOp.Relu, this);

    /// <summary>Leaky ReLU: x where x &gt; 0, else <paramref name="negativeSlope"/>·x (PyTorch's leaky_relu); its gradient at 0 is the slope.</summary>
    /// <param name="negativeSlope">The slope for x ≤ 0 (PyTorch's default, 0.01).</param>
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Elementwise.Unary(new UnaryFunction(UnaryOp.LeakyRelu, negativeSlope), this);

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Elementwise.Unary(UnaryOp.Tanh, this);

    /// <summary>Softplus ln(1 + e^(βx)) / β, stable for large |x|, and x itself where βx &gt; <paramref name="threshold"/> (PyTorch's softplus).</summary>
    /// <param name="beta">β (default 1).</param>
    /// <param name="threshold">Above this βx the result is x (default 20).</param>
    public Tensor Softplus(double beta = 1, double threshold = 20) =>
        Elementwise.Unary(new UnaryFunction(UnaryOp.Softplus, OpChecks.Positive("Softplus", "beta", beta), threshold), this);

    /// <summary>ELU: x where x &gt; 0, else α(eˣ - 1) (PyTorch's elu).</summary>
    /// <param name="alpha">α (default 1).</param>
    public Tensor Elu(double alpha = 1) => Elementwise.Unary(new UnaryFunction(UnaryOp.Elu, alpha), this);

    /// <summary>SiLU (swish): x·sigmoid(x).</summary>
    public Tensor Silu() => Elementwise.Unary(UnaryOp.Silu, this);

    /// <summary>GELU: x·Φ(x) with Φ the standard normal distribution function, or its tanh approximation (PyTorch's approximate='tanh').</summary>
    /// <param name="approximate">"none" (exact, the default) or "tanh".</param>
    public Tensor Gelu(string approximate = "none") => Elementwise.Unary(
        approximate switch
        {
            "none" => UnaryOp.Gelu,
            "tanh" => UnaryOp.GeluTanh,
            _ => throw new ArgumentException($"Gelu: approximate must be \"none\" or \"tanh\", not \"{approximate}\".", nameof(approximate)),
        },
        this);

    /// <summary>Softmax along <paramref name="axis"/> (default: the last), stable for large inputs.</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxOp.Softmax(this, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/> (default: the last), stable for large inputs.</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxOp.Softmax(this, axis, log: true);
}
