using System.Numerics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>Temporary reference GEMM until the packed kernel lands.</summary>
internal static class CpuGemm
{
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, T[] a, T[] b, T beta, T[] c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum += (transA ? a[(p * m) + i] : a[(i * k) + p]) * (transB ? b[(j * k) + p] : b[(p * n) + j]);
                }

                c[(i * n) + j] = (alpha * sum) + (beta == T.Zero ? T.Zero : beta * c[(i * n) + j]);
            }
        }
    }
}
