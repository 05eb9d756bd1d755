namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>Where a dropout kernel draws from: the stream's key, its first block and the keep threshold.</summary>
/// <param name="Seed">The Philox key.</param>
/// <param name="FirstBlock">The block of the draw's first word.</param>
/// <param name="Threshold">Keep a word whose top 24 bits are at least this.</param>
internal readonly record struct PhiloxDraw(ulong Seed, ulong FirstBlock, uint Threshold);
