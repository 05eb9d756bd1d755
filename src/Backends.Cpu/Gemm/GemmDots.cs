using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Gemm;

/// <summary>
/// Products A·Bᵀ with a few rows of C (<see cref="MaxRows"/> at most: a small batch through a
/// layer, the weight stored [out, in]) as dot products of contiguous rows. The packed path would
/// gather Bᵀ into panels, a strided pass over the whole weight per call, for a few multiply-adds
/// per element; here every row of B is read once, where it lies, against the rows of A held in L1.
/// Measured on a Zen 5 for [m, 784]·[256, 784]ᵀ: m = 2, 4, 8 took 32, 20, 18 µs packed, 7, 8, 15 µs
/// here; on its AVX2 path (Vector&lt;T&gt;), 35, 19, 32 µs packed, 11, 9, 16 µs here.
/// </summary>
internal static unsafe class GemmDots
{
    /// <summary>The most rows of C this path takes.</summary>
    public const int MaxRows = 8;

    /// <summary>Runs the product when op(A) is A stored m×k with 2 to <see cref="MaxRows"/> rows and op(B) is Bᵀ (B stored n×k), on vector hardware, and returns true; otherwise returns false.</summary>
    public static bool TryRun<T>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.M is < 2 or > MaxRows || p.TransA || !p.TransB || p.PackedA != null)
        {
            return false;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            Run<T, Vector512<T>, Lanes512<T>>(p);
        }
        else if (Vector.IsHardwareAccelerated)
        {
            Run<T, Vector<T>, LanesVector<T>>(p);
        }
        else
        {
            return false;
        }

        return true;
    }

    // Pairs of B rows (output columns) split over the cores, a grain of about 64K multiply-adds.
    private static void Run<T, TV, TLanes>(in GemmProblem<T> p)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TLanes : struct, ILanes<T, TV>
    {
        int pairs = (p.N + 1) / 2;
        long grain = Math.Max(1, CpuParallel.ElementGrain / ((long)p.M * p.K * 2));
        CpuParallel.For(pairs, grain, p, static (q, first, last) =>
        {
            for (long pair = first; pair < last; pair++)
            {
                int j = (int)pair * 2;
                T* b0 = q.B + ((long)j * q.K);
                T* b1 = j + 1 < q.N ? b0 + q.K : b0;
                int i = 0;
                for (; i + 4 <= q.M; i += 4)
                {
                    Dots4x2<T, TV, TLanes>(q, i, j, b0, b1);
                }

                for (; i < q.M; i++)
                {
                    Dots1x2<T, TV, TLanes>(q, i, j, b0, b1);
                }
            }
        });
    }

    /// <summary>C[i..i+4, j..j+2] from rows i..i+4 of A and the B rows <paramref name="b0"/>, <paramref name="b1"/> (the same row when j is the last column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dots4x2<T, TV, TLanes>(in GemmProblem<T> q, int i, int j, T* b0, T* b1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TLanes : struct, ILanes<T, TV>
    {
        T* a0 = q.A + ((long)i * q.K), a1 = a0 + q.K, a2 = a1 + q.K, a3 = a2 + q.K;
        TV c00 = default, c01 = default, c10 = default, c11 = default;
        TV c20 = default, c21 = default, c30 = default, c31 = default;
        int w = TLanes.Count, p = 0;
        for (; p <= q.K - w; p += w)
        {
            var x0 = TLanes.Load(b0 + p);
            var x1 = TLanes.Load(b1 + p);
            var y = TLanes.Load(a0 + p);
            c00 = TLanes.Fma(y, x0, c00); c01 = TLanes.Fma(y, x1, c01);
            y = TLanes.Load(a1 + p);
            c10 = TLanes.Fma(y, x0, c10); c11 = TLanes.Fma(y, x1, c11);
            y = TLanes.Load(a2 + p);
            c20 = TLanes.Fma(y, x0, c20); c21 = TLanes.Fma(y, x1, c21);
            y = TLanes.Load(a3 + p);
            c30 = TLanes.Fma(y, x0, c30); c31 = TLanes.Fma(y, x1, c31);
        }

        // The sums first: an accumulator live across a call is spilled in the loop itself.
        T s00 = TLanes.Sum(c00), s01 = TLanes.Sum(c01), s10 = TLanes.Sum(c10), s11 = TLanes.Sum(c11);
        T s20 = TLanes.Sum(c20), s21 = TLanes.Sum(c21), s30 = TLanes.Sum(c30), s31 = TLanes.Sum(c31);
        Store(q, i, j, s00 + Tail(a0, b0, p, q.K), s01 + Tail(a0, b1, p, q.K));
        Store(q, i + 1, j, s10 + Tail(a1, b0, p, q.K), s11 + Tail(a1, b1, p, q.K));
        Store(q, i + 2, j, s20 + Tail(a2, b0, p, q.K), s21 + Tail(a2, b1, p, q.K));
        Store(q, i + 3, j, s30 + Tail(a3, b0, p, q.K), s31 + Tail(a3, b1, p, q.K));
    }

    /// <summary>C[i, j..j+2] from row i of A and the B rows <paramref name="b0"/>, <paramref name="b1"/>.</summary>
    private static void Dots1x2<T, TV, TLanes>(in GemmProblem<T> q, int i, int j, T* b0, T* b1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TLanes : struct, ILanes<T, TV>
    {
        T* a = q.A + ((long)i * q.K);
        TV c0 = default, c1 = default;
        int w = TLanes.Count, p = 0;
        for (; p <= q.K - w; p += w)
        {
            var y = TLanes.Load(a + p);
            c0 = TLanes.Fma(y, TLanes.Load(b0 + p), c0);
            c1 = TLanes.Fma(y, TLanes.Load(b1 + p), c1);
        }

        T s0 = TLanes.Sum(c0), s1 = TLanes.Sum(c1);
        Store(q, i, j, s0 + Tail(a, b0, p, q.K), s1 + Tail(a, b1, p, q.K));
    }

    /// <summary>Σ a[p]·b[p] over the last, less than a vector long, stretch [from, k).</summary>
    private static T Tail<T>(T* a, T* b, int from, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int p = from; p < k; p++)
        {
            sum += a[p] * b[p];
        }

        return sum;
    }

    /// <summary>Writes the dots of C[i, j] and C[i, j + 1] (the second only when j + 1 is a column), scaled as alpha · dot + beta · C.</summary>
    private static void Store<T>(in GemmProblem<T> q, int i, int j, T dot0, T dot1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* c = q.C + ((long)i * q.N) + j;
        c[0] = GemmVector.Scaled(dot0, q.Alpha, c[0], q.Beta);
        if (j + 1 < q.N)
        {
            c[1] = GemmVector.Scaled(dot1, q.Alpha, c[1], q.Beta);
        }
    }

    /// <summary>The vector operations of one width, so each kernel is written once for Vector512 and Vector&lt;T&gt;.</summary>
    private interface ILanes<T, TV>
        where T : unmanaged
        where TV : struct
    {
        static abstract int Count { get; }

        static abstract TV Load(T* source);

        static abstract TV Fma(TV x, TV y, TV addend);

        static abstract T Sum(TV v);
    }

    private readonly struct Lanes512<T> : ILanes<T, Vector512<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector512<T>.Count;

        public static Vector512<T> Load(T* source) => Vector512.Load(source);

        public static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> addend) => GemmMicroKernels.Fma(x, y, addend);

        public static T Sum(Vector512<T> v) => Vector512.Sum(v);
    }

    private readonly struct LanesVector<T> : ILanes<T, Vector<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector<T>.Count;

        public static Vector<T> Load(T* source) => Vector.Load(source);

        public static Vector<T> Fma(Vector<T> x, Vector<T> y, Vector<T> addend) => GemmMicroKernels.Fma(x, y, addend);

        public static T Sum(Vector<T> v) => Vector.Sum(v);
    }
}
