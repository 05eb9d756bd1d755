using System.Numerics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// What a fully connected layer applies to its product before anyone reads it: a bias per column
/// of C, then ReLU. The packed path applies it to each register tile as the tile's last depth
/// slice is written, while the tile is still in L1, so the layer makes one pass over C, not three.
/// </summary>
internal readonly unsafe struct GemmEpilogue<T>(T* bias, bool relu)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The bias (one per column of C), or null.</summary>
    public readonly T* Bias = bias;

    /// <summary>Whether negative results become zero.</summary>
    public readonly bool Relu = relu;

    /// <summary>True when there is anything to apply.</summary>
    public bool IsActive => Bias != null || Relu;

    /// <summary>Applies the epilogue to <paramref name="rows"/>×<paramref name="cols"/> of C at <paramref name="c"/>, whose first column is column <paramref name="column"/>.</summary>
    public void Apply(T* c, int ldc, int rows, int column, int cols)
    {
        if (!IsActive)
        {
            return;
        }

        int w = Vector<T>.Count;
        T* bias = Bias == null ? null : Bias + column;
        for (int r = 0; r < rows; r++, c += ldc)
        {
            int j = 0;
            for (; j <= cols - w; j += w)
            {
                var v = Vector.Load(c + j);
                if (bias != null)
                {
                    v += Vector.Load(bias + j);
                }

                if (Relu)
                {
                    // Negative values become zero and NaN stays NaN, as in the ReLU op.
                    v = Vector.ConditionalSelect(Vector.LessThan(v, Vector<T>.Zero), Vector<T>.Zero, v);
                }

                v.Store(c + j);
            }

            for (; j < cols; j++)
            {
                T v = bias == null ? c[j] : c[j] + bias[j];
                c[j] = Relu && v < T.Zero ? T.Zero : v;
            }
        }
    }
}
