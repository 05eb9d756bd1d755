using System.Numerics;
using ILGPU;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>The sizes, layouts and scalars of one <c>C = alpha·op(A)·op(B) + beta·C</c>.</summary>
internal readonly struct GemmArguments<T>(int m, int n, int k, bool transA, bool transB, double alpha, double beta, int side)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly int M = m, N = n, K = k;
    public readonly int TransA = transA ? 1 : 0, TransB = transB ? 1 : 0;
    public readonly T Alpha = T.CreateTruncating(alpha), Beta = T.CreateTruncating(beta);

    /// <summary>The group is Side × Side threads (Side ≤ <see cref="GroupLimits.MaxSide"/>); each computes 4 × 4 outputs of a (4·Side)² tile of C.</summary>
    public readonly int Side = side;
}

/// <summary>
/// Tiled SGEMM: each group owns a (4·side)² tile of C, stages side-deep slices of op(A) and op(B)
/// in shared memory (loaded along the contiguous dimension of each layout, so reads coalesce),
/// and each thread accumulates a 4 × 4 register block from rows ty + i·side and columns
/// tx + j·side (consecutive threads touch consecutive shared words and output columns).
/// </summary>
internal static class GemmKernel
{
    /// <summary>Register block size per thread along each dimension.</summary>
    public const int Block = 4;

    /// <summary>Below this many rows or columns of C the direct kernel is used: a tile would sit mostly idle.</summary>
    public const int DirectBelow = 64;

    /// <summary>Shared elements of one operand's slice for the largest group: (4·side) × side.</summary>
    private const int MaxSlice = GroupLimits.MaxSide * Block * GroupLimits.MaxSide;

    public static void Gemm<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmArguments<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tileA = SharedMemory.Allocate<T>(MaxSlice);
        var tileB = SharedMemory.Allocate<T>(MaxSlice);
        int side = g.Side, tile = side * Block, depth = side;
        int tx = Group.IdxX % side, ty = Group.IdxX / side;
        int tilesN = (g.N + tile - 1) / tile;
        int tiles = ((g.M + tile - 1) / tile) * tilesN;
        for (int t = Grid.IdxX; t < tiles; t += Grid.DimX)
        {
            int row0 = (t / tilesN) * tile, col0 = (t % tilesN) * tile;
            var acc = default(RegisterBlock<T>);
            for (int k0 = 0; k0 < g.K; k0 += depth)
            {
                for (int f = Group.IdxX; f < tile * depth; f += Group.DimX)
                {
                    int i = g.TransA != 0 ? f % tile : f / depth;
                    int p = g.TransA != 0 ? f / tile : f % depth;
                    int gi = row0 + i, gp = k0 + p;
                    tileA[(p * tile) + i] = gi < g.M && gp < g.K ? a[g.TransA != 0 ? (gp * g.M) + gi : (gi * g.K) + gp] : T.Zero;

                    int j = g.TransB != 0 ? f / depth : f % tile;
                    int q = g.TransB != 0 ? f % depth : f / tile;
                    int gj = col0 + j, gq = k0 + q;
                    tileB[(q * tile) + j] = gj < g.N && gq < g.K ? b[g.TransB != 0 ? (gj * g.K) + gq : (gq * g.N) + gj] : T.Zero;
                }

                GroupBarrier.Sync();
                for (int p = 0; p < depth; p++)
                {
                    int ra = (p * tile) + ty, rb = (p * tile) + tx;
                    acc.Add(
                        tileA[ra], tileA[ra + side], tileA[ra + (2 * side)], tileA[ra + (3 * side)],
                        tileB[rb], tileB[rb + side], tileB[rb + (2 * side)], tileB[rb + (3 * side)]);
                }

                GroupBarrier.Sync();
            }

            for (int r = 0; r < Block; r++)
            {
                int gi = row0 + ty + (r * side);
                for (int q = 0; q < Block; q++)
                {
                    int gj = col0 + tx + (q * side);
                    if (gi < g.M && gj < g.N)
                    {
                        int at = (gi * g.N) + gj;
                        T value = g.Alpha * acc.Get((r * Block) + q);
                        c[at] = g.Beta == T.Zero ? value : value + (g.Beta * c[at]);
                    }
                }
            }
        }
    }

    /// <summary>A thread per element of C, looping over k: for thin products (a batch of one, a narrow layer), where tiles would idle.</summary>
    public static void Direct<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmArguments<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int at = GridLoop.Start; at < g.M * g.N; at += GridLoop.Step)
        {
            int i = at / g.N, j = at % g.N;
            T sum = T.Zero;
            for (int p = 0; p < g.K; p++)
            {
                sum += a[g.TransA != 0 ? (p * g.M) + i : (i * g.K) + p] * b[g.TransB != 0 ? (j * g.K) + p : (p * g.N) + j];
            }

            T value = g.Alpha * sum;
            c[at] = g.Beta == T.Zero ? value : value + (g.Beta * c[at]);
        }
    }

    /// <summary>A thread's 4 × 4 accumulators, kept in registers.</summary>
    private struct RegisterBlock<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private T c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;

        /// <summary>Adds the outer product of column (a0..a3) and row (b0..b3).</summary>
        public void Add(T a0, T a1, T a2, T a3, T b0, T b1, T b2, T b3)
        {
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }

        /// <summary>Accumulator number <paramref name="index"/> in row-major order.</summary>
        public readonly T Get(int index) => index switch
        {
            0 => c00,
            1 => c01,
            2 => c02,
            3 => c03,
            4 => c10,
            5 => c11,
            6 => c12,
            7 => c13,
            8 => c20,
            9 => c21,
            10 => c22,
            11 => c23,
            12 => c30,
            13 => c31,
            14 => c32,
            _ => c33,
        };
    }
}
