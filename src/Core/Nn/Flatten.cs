using System.Globalization;

namespace TensorGrad.Nn;

/// <summary>
/// Merges dimensions <c>startDim</c> through <c>endDim</c> (PyTorch's <c>nn.Flatten</c>; by default
/// every dimension after the batch's, so [N, 1, 28, 28] becomes [N, 784]).
/// </summary>
/// <param name="startDim">The first dimension merged (default 1).</param>
/// <param name="endDim">The last dimension merged (default -1, the last).</param>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <summary>The first dimension merged.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>The last dimension merged.</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Flatten(StartDim, EndDim);

    /// <inheritdoc />
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture, $"start_dim={StartDim}, end_dim={EndDim}");
}
