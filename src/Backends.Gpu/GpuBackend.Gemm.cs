using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Gpu.Kernels;

namespace TensorGrad.Backends.Gpu;

/// <summary>Matrix products and transposes.</summary>
public sealed partial class GpuBackend
{
    /// <summary>Side of the square thread group of the tiled kernels.</summary>
    private int TileSide => (int)Math.Sqrt(groupSize);

    /// <inheritdoc />
    public override void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, DeviceBuffer a, DeviceBuffer b, double beta, DeviceBuffer c)
    {
        Bind();
        if (a.DType == DType.Float32)
        {
            Gemm(new GemmArguments<float>(m, n, k, transA, transB, alpha, beta, TileSide), F(a), F(b), F(c));
        }
        else
        {
            Gemm(new GemmArguments<double>(m, n, k, transA, transB, alpha, beta, TileSide), D(a), D(b), D(c));
        }
    }

    /// <inheritdoc />
    public override void Transpose2D(DeviceBuffer x, int rows, int cols, DeviceBuffer y)
    {
        Bind();
        if (x.DType == DType.Float32)
        {
            Transpose(F(x), rows, cols, F(y));
        }
        else
        {
            Transpose(D(x), rows, cols, D(y));
        }
    }

    private void Gemm<T>(GemmArguments<T> g, GpuBuffer<T> a, GpuBuffer<T> b, GpuBuffer<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.M == 0 || g.N == 0)
        {
            return;
        }

        if (g.M < GemmKernel.DirectBelow || g.N < GemmKernel.DirectBelow)
        {
            kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmArguments<T>>(GemmKernel.Direct)(Elementwise((long)g.M * g.N), a.View, b.View, c.View, g);
            return;
        }

        int tile = g.Side * GemmKernel.Block;
        long tiles = (long)((g.M + tile - 1) / tile) * ((g.N + tile - 1) / tile);
        var config = Groups((int)Math.Min(tiles, maxGroups * 4L), g.Side * g.Side);
        kernels.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmArguments<T>>(GemmKernel.Gemm)(config, a.View, b.View, c.View, g);
    }

    private void Transpose<T>(GpuBuffer<T> x, int rows, int cols, GpuBuffer<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length == 0)
        {
            return;
        }

        int side = TileSide;
        long tiles = (long)((rows + side - 1) / side) * ((cols + side - 1) / side);
        var config = Groups((int)Math.Min(tiles, maxGroups * 4L), side * side);
        kernels.Get<ArrayView<T>, ArrayView<T>, int, int, int>(LayoutKernels.Transpose)(config, x.View, y.View, rows, cols, side);
    }
}
