namespace TensorGrad.Tests.Suite;

/// <summary>In-place updates of leaf tensors and their checks.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void In_place_updates_change_the_leaf_values()
    {
        var w = T([1, 2, 3], 3);
        w.AddInPlace(T([1, 1, 2], 3), alpha: -0.5);
        AssertClose([0.5, 1.5, 2], w.ToArray());
        w.MulInPlace(4);
        AssertClose([2, 6, 8], w.ToArray());
        w.Fill(-1);
        AssertClose([-1, -1, -1], w.ToArray());
        w.CopyFrom(T([7, 8, 9], 3));
        AssertClose([7, 8, 9], w.ToArray());
        if (SupportsFloat64)
        {
            w.CopyFrom(T64([0.25, 0.5, 0.75], 3));
            AssertClose([0.25, 0.5, 0.75], w.ToArray());
        }
    }

    [Fact]
    public void In_place_updates_refuse_recorded_tensors_and_other_shapes()
    {
        var w = T([1, 2], 2);
        w.RequiresGrad = true;
        var shape = Assert.Throws<ArgumentException>(() => w.AddInPlace(T([1, 2, 3], 3)));
        Assert.Contains("AddInPlace: the source is [3] Float32", shape.Message);
        using var tape = Tape.Begin();
        var derived = w * 2;
        var e = Assert.Throws<InvalidOperationException>(() => derived.MulInPlace(2));
        Assert.Contains("MulInPlace: the [2] tensor from Mul was recorded on a tape", e.Message);
    }
}
