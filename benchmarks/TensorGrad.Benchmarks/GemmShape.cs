namespace TensorGrad.Benchmarks;

/// <summary>A matrix product [m, k]·[k, n] from a layer of the MLP benchmarks.</summary>
/// <param name="Name">Which product of the training step it is.</param>
/// <param name="M">Rows of the left operand and of the result.</param>
/// <param name="K">The inner dimension.</param>
/// <param name="N">Columns of the right operand and of the result.</param>
public sealed record GemmShape(string Name, int M, int K, int N)
{
    /// <summary>Floating-point operations of the product: 2·m·n·k.</summary>
    public double Flops => 2.0 * M * K * N;

    /// <summary>The name and m×k×n, e.g. <c>fc1 fwd 128x784x256</c> (at most 20 characters, which BenchmarkDotNet shows unabridged).</summary>
    public override string ToString() => $"{Name} {M}x{K}x{N}";
}
