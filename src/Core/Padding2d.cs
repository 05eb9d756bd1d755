namespace TensorGrad;

/// <summary>
/// The zero padding of a convolution: explicit sizes (an int or (height, width), added on both
/// sides), or <see cref="Same"/> (output as large as the input, stride 1 only; an odd total goes one
/// more to the bottom and right, as PyTorch) or <see cref="Valid"/> (none), also from the strings
/// "same" and "valid".
/// </summary>
public readonly record struct Padding2d
{
    private Padding2d(Size2d size, bool same)
    {
        Size = size;
        IsSame = same;
    }

    /// <summary>No padding.</summary>
    public static Padding2d Valid => new(0, false);

    /// <summary>Padding that keeps the output the size of the input.</summary>
    public static Padding2d Same => new(0, true);

    /// <summary>The explicit padding per side (0 for <see cref="Same"/>).</summary>
    public Size2d Size { get; }

    /// <summary>True for <see cref="Same"/>.</summary>
    public bool IsSame { get; }

    /// <summary>The same padding on all four sides.</summary>
    public static implicit operator Padding2d(int size) => new(size, false);

    /// <summary>(height, width) padding, each on both sides.</summary>
    public static implicit operator Padding2d((int Height, int Width) size) => new(size, false);

    /// <summary>"same" or "valid" (PyTorch's string forms).</summary>
    public static implicit operator Padding2d(string mode) => Parse(mode);

    /// <summary>Explicit padding on both sides.</summary>
    public static Padding2d FromSize2d(Size2d size) => new(size, false);

    /// <summary>"same" or "valid".</summary>
    public static Padding2d Parse(string mode) => mode switch
    {
        "same" => Same,
        "valid" => Valid,
        _ => throw new ArgumentException($"Padding2d: padding must be \"same\", \"valid\" or sizes, got \"{mode}\".", nameof(mode)),
    };

    /// <summary>"same", or the sizes.</summary>
    public override string ToString() => IsSame ? "same" : Size.ToString();
}
