namespace TensorGrad.Nn;

/// <summary>
/// A residual connection: <c>x + block(x)</c>. Gradients reach x both through the block and
/// directly, which is what lets deep stacks of blocks train. The block is the child "block", so
/// its parameters are "block.0.weight" and so on.
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Wraps <paramref name="block"/>, which must keep its input's shape.</summary>
    /// <param name="block">The residual branch.</param>
    public Residual(Module block)
    {
        ArgumentNullException.ThrowIfNull(block);
        Block = RegisterModule("block", block);
    }

    /// <summary>The residual branch.</summary>
    public Module Block { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        var branch = Block.Forward(input);
        if (branch.Shape != input.Shape)
        {
            throw new ArgumentException($"Residual: the block maps {input.Shape} to {branch.Shape} on {input.Device}; x + block(x) needs the block to keep the shape.");
        }

        return input + branch;
    }
}
