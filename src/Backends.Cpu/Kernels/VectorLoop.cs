using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>Computes the results of one elementwise loop a vector at a time, starting at an element index.</summary>
internal interface ILanes<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    Vector256<T> At256(nuint i);

    Vector512<T> At512(nuint i);

    /// <summary>The result at <paramref name="i"/> from the scalar formula: spans shorter than a vector.</summary>
    T At(int i);
}

/// <summary>
/// The one CPU loop that runs every elementwise operator: Vector512 where the hardware accelerates
/// it, else Vector256. The last vector overlaps the one before and is computed before any store,
/// so in-place use is safe; spans shorter than a vector take the scalar formula.
/// </summary>
internal static class VectorLoop
{
    public static void Run<T, TLanes>(TLanes lanes, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : ILanes<T>, allows ref struct
    {
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            nuint lastStart = n - (nuint)Vector512<T>.Count;
            var last = lanes.At512(lastStart);
            for (nuint i = 0; i < lastStart; i += (nuint)Vector512<T>.Count)
            {
                lanes.At512(i).StoreUnsafe(ref ry, i);
            }

            last.StoreUnsafe(ref ry, lastStart);
        }
        else if (n >= (nuint)Vector256<T>.Count)
        {
            nuint lastStart = n - (nuint)Vector256<T>.Count;
            var last = lanes.At256(lastStart);
            for (nuint i = 0; i < lastStart; i += (nuint)Vector256<T>.Count)
            {
                lanes.At256(i).StoreUnsafe(ref ry, i);
            }

            last.StoreUnsafe(ref ry, lastStart);
        }
        else
        {
            for (int i = 0; i < y.Length; i++)
            {
                y[i] = lanes.At(i);
            }
        }
    }
}

/// <summary>y[i] = op(x[i]).</summary>
internal readonly ref struct UnaryLanes<T, TOp>(TOp op, ReadOnlySpan<T> x) : ILanes<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IUnaryOperator<T>
{
    private readonly ReadOnlySpan<T> x = x;

    public Vector256<T> At256(nuint i) => op.Apply(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(x), i));

    public Vector512<T> At512(nuint i) => op.Apply(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(x), i));

    public T At(int i) => op.Apply(x[i]);
}

/// <summary>y[i] = op(a[i], b[i]).</summary>
internal readonly ref struct BinaryLanes<T, TOp>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b) : ILanes<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IBinaryOperator<T>
{
    private readonly ReadOnlySpan<T> a = a;
    private readonly ReadOnlySpan<T> b = b;

    public Vector256<T> At256(nuint i) =>
        op.Apply(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(a), i), Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(b), i));

    public Vector512<T> At512(nuint i) =>
        op.Apply(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(a), i), Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(b), i));

    public T At(int i) => op.Apply(a[i], b[i]);
}

/// <summary>y[i] = op(a[i], s).</summary>
internal readonly ref struct ScalarLanes<T, TOp>(TOp op, ReadOnlySpan<T> a, T s) : ILanes<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IBinaryOperator<T>
{
    private readonly ReadOnlySpan<T> a = a;

    public Vector256<T> At256(nuint i) => op.Apply(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(a), i), Vector256.Create(s));

    public Vector512<T> At512(nuint i) => op.Apply(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(a), i), Vector512.Create(s));

    public T At(int i) => op.Apply(a[i], s);
}
