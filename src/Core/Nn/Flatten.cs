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

/// <summary>
/// Splits dimension <c>dim</c> into <c>sizes</c> (PyTorch's <c>nn.Unflatten</c>), e.g. [N, 784] into
/// [N, 1, 28, 28] with dim 1 and sizes (1, 28, 28) before a convolution.
/// </summary>
public sealed class Unflatten : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="dim">The dimension split (negative counts from the end).</param>
    /// <param name="sizes">Its new sizes, whose product must equal its size.</param>
    public Unflatten(int dim, params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length == 0 || sizes.Any(s => s <= 0))
        {
            throw new ArgumentException($"Unflatten({dim}, [{string.Join(", ", sizes)}]): sizes must be positive and at least one.", nameof(sizes));
        }

        Dim = dim;
        Sizes = [.. sizes];
    }

    /// <summary>The dimension split.</summary>
    public int Dim { get; }

    /// <summary>Its new sizes.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int dim = input.Shape.NormalizeAxis(Dim, "Unflatten");
        long product = Sizes.Aggregate(1L, (a, s) => a * s);
        if (product != input.Shape[dim])
        {
            throw new ArgumentException($"Unflatten: sizes [{string.Join(", ", Sizes)}] ({product} elements) do not split dimension {Dim} of size {input.Shape[dim]} of the input {input.Shape} on {input.Device}.");
        }

        var dims = input.Shape.Dimensions;
        return input.Reshape((int[])[.. dims[..dim], .. Sizes, .. dims[(dim + 1)..]]);
    }

    /// <inheritdoc />
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture, $"dim={Dim}, unflattened_size=({string.Join(", ", Sizes)})");
}
