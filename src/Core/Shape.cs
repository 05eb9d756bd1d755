using System.Collections;
using System.Runtime.CompilerServices;

namespace TensorGrad;

/// <summary>
/// The dimensions of a tensor, outermost first (row-major). Immutable. A shape with no
/// dimensions is a scalar with one element. Write it as <c>new Shape(2, 3)</c> or <c>[2, 3]</c>.
/// </summary>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public readonly struct Shape : IEquatable<Shape>, IEnumerable<int>
{
    private readonly int[]? dims;

    /// <summary>Creates a shape from its dimensions; each must be ≥ 0.</summary>
    public Shape(params int[] dimensions)
        : this(Checked(dimensions), adopt: false)
    {
    }

    private Shape(int[] dimensions, bool adopt)
    {
        dims = adopt ? dimensions : (int[])dimensions.Clone();
    }

    private static int[] Checked(int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        foreach (int d in dimensions)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape dimensions must be non-negative, got [{string.Join(", ", dimensions)}].", nameof(dimensions));
            }
        }

        if (!TryCount(dimensions, out _))
        {
            throw new ArgumentException($"Shape [{string.Join(", ", dimensions)}] has more elements than 2⁶³ − 1, the most a shape can count.", nameof(dimensions));
        }

        return dimensions;
    }

    /// <summary>
    /// The product of non-negative <paramref name="dimensions"/> in checked arithmetic: false (and
    /// a count of -1) when it overflows a long. Shapes and file headers count their elements here.
    /// </summary>
    internal static bool TryCount(ReadOnlySpan<int> dimensions, out long count)
    {
        count = 1;
        if (dimensions.Contains(0))
        {
            count = 0;
            return true;
        }

        try
        {
            foreach (int d in dimensions)
            {
                count = checked(count * d);
            }

            return true;
        }
        catch (OverflowException)
        {
            count = -1;
            return false;
        }
    }

    /// <summary>A shape that takes <paramref name="dimensions"/> as they are (no copy, no check): for Core's own shapes, built from valid ones.</summary>
    internal static Shape Adopt(params int[] dimensions) => new(dimensions, adopt: true);

    /// <summary>Collection-expression factory: <c>Shape s = [2, 3];</c>.</summary>
    public static Shape Create(ReadOnlySpan<int> dimensions) => new(dimensions.ToArray());

    /// <summary>The scalar shape (rank 0, one element).</summary>
    public static Shape Scalar => default;

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims?.Length ?? 0;

    /// <summary>The dimensions as a span.</summary>
    public ReadOnlySpan<int> Dimensions => dims;

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => dims![NormalizeAxis(axis, "Shape")];

    /// <summary>Total number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public long Size
    {
        get
        {
            long n = 1;
            if (dims is not null)
            {
                foreach (int d in dims)
                {
                    n *= d;
                }
            }

            return n;
        }
    }

    /// <summary>Maps a possibly negative axis to [0, Rank) or throws naming <paramref name="op"/>.</summary>
    public int NormalizeAxis(int axis, string op)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for shape {this} (rank {Rank}).");
        }

        return a;
    }

    /// <summary>Product of the dimensions before <paramref name="axis"/>, the axis size and the product after it.</summary>
    public (int Outer, int Axis, int Inner) SplitAt(int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++)
        {
            outer *= dims![i];
        }

        for (int i = axis + 1; i < Rank; i++)
        {
            inner *= dims![i];
        }

        return (outer, dims![axis], inner);
    }

    /// <summary>This shape with dimension <paramref name="axis"/> set to 1 (keepdim) or removed.</summary>
    public Shape Reduce(int axis, bool keepDim)
    {
        var reduced = new int[keepDim ? Rank : Rank - 1];
        for (int d = 0, r = 0; d < Rank; d++)
        {
            if (d != axis)
            {
                reduced[r++] = dims![d];
            }
            else if (keepDim)
            {
                reduced[r++] = 1;
            }
        }

        return Adopt(reduced);
    }

    /// <summary>
    /// The NumPy broadcast of two shapes: aligned from the right, each pair of dimensions must
    /// be equal or one of them 1. Throws naming <paramref name="op"/> and both shapes otherwise.
    /// </summary>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (a == b)
        {
            return a;
        }

        int rank = Math.Max(a.Rank, b.Rank);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.dims![i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.dims![i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i} is {da} vs {db}).");
            }

            result[i] = da == 1 ? db : da;
        }

        return Adopt(result);
    }

    /// <inheritdoc />
    public bool Equals(Shape other) => Dimensions.SequenceEqual(other.Dimensions);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in Dimensions)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>Shape equality (same rank and dimensions).</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Formats as <c>[2, 3]</c>.</summary>
    public override string ToString() => $"[{string.Join(", ", dims ?? [])}]";

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(dims ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
