namespace TensorGrad;

/// <summary>
/// A pair of sizes along height and width, as PyTorch's <c>int or (int, int)</c> arguments: an
/// int converts to a square pair, a tuple to (height, width).
/// </summary>
/// <param name="Height">The size along the height.</param>
/// <param name="Width">The size along the width.</param>
public readonly record struct Size2d(int Height, int Width)
{
    /// <summary>The same size along both dimensions.</summary>
    public static implicit operator Size2d(int size) => new(size, size);

    /// <summary>(height, width).</summary>
    public static implicit operator Size2d((int Height, int Width) size) => new(size.Height, size.Width);

    /// <summary>The same size along both dimensions.</summary>
    public static Size2d FromInt32(int size) => new(size, size);

    /// <summary>"h×w", or "s" when both are equal.</summary>
    public override string ToString() => Height == Width ? $"{Height}" : $"({Height}, {Width})";
}
