using System.Numerics;
using ILGPU;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// Grid-stride elementwise kernels: fill, dtype conversion, unary, tensor-scalar, binary (same shape and broadcast), expand, bias add.
/// Kernels avoid the generic-math conversions (T.CreateTruncating and kin): their bodies test
/// types with typeof, which ILGPU cannot compile.
/// </summary>
internal static class ElementwiseKernels
{
    public static void Fill<T>(ArrayView<T> y, T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = value;
        }
    }

    public static void ToDouble(ArrayView<float> x, ArrayView<double> y)
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = x[i];
        }
    }

    public static void ToSingle(ArrayView<double> x, ArrayView<float> y)
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = (float)x[i];
        }
    }

    public static void Unary<T, TOp>(ArrayView<T> x, ArrayView<T> y, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOperator<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = op.Apply(x[i]);
        }
    }

    public static void Scalar<T, TOp>(ArrayView<T> x, T scalar, ArrayView<T> y, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = op.Apply(x[i], scalar);
        }
    }

    public static void Binary<T, TOp>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = op.Apply(a[i], b[i]);
        }
    }

    public static void BroadcastBinary<T, TOp>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, BroadcastLayout layout, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = op.Apply(a[layout.OffsetA(i)], b[layout.OffsetB(i)]);
        }
    }

    /// <summary>y[i] = x[broadcast source of i]; the layout's second input is unused.</summary>
    public static void Expand<T>(ArrayView<T> x, ArrayView<T> y, BroadcastLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = x[layout.OffsetA(i)];
        }
    }

    /// <summary>y[r, c] = max(x[r, c] + bias[c], 0): a layer's bias and ReLU in one pass.</summary>
    public static void BiasAddRelu<T>(ArrayView<T> x, ArrayView<T> bias, ArrayView<T> y, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = default(ReluOperator<T>).Apply(x[i] + bias[i % cols]);
        }
    }

    /// <summary>
    /// mask[i] = scale where word i of the Philox stream at the draw's first block has its top 24
    /// bits ≥ the draw's threshold, else 0; y[i] = x[i]·mask[i].
    /// </summary>
    public static void Dropout<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> mask, PhiloxDraw draw, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < mask.IntLength; i += GridLoop.Step)
        {
            var block = Philox.Block(draw.Seed, draw.FirstBlock + (ulong)(i / 4));
            T m = block[i % 4] >> 8 >= draw.Threshold ? scale : T.Zero;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>y[r, c] = x[r, c] + bias[c].</summary>
    public static void BiasAdd<T>(ArrayView<T> x, ArrayView<T> bias, ArrayView<T> y, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridLoop.Start; i < y.IntLength; i += GridLoop.Step)
        {
            y[i] = x[i] + bias[i % cols];
        }
    }
}
