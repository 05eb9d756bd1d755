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

    /// <summary>Softplus ln(1 + eˣ), stable for large |x|.</summary>
    public Tensor Softplus() => Elementwise.Unary(UnaryOp.Softplus, this);

    /// <summary>Softmax along <paramref name="axis"/> (default: the last), stable for large inputs.</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxOp.Softmax(this, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/> (default: the last), stable for large inputs.</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxOp.Softmax(this, axis, log: true);
}
