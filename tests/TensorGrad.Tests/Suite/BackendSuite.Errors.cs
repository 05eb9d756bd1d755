using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>Bad input gets a clear exception naming the op, the shapes and the device.</summary>
public abstract partial class BackendSuite
{
    [Fact]
    public void MatMul_shape_mismatch_names_the_op_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => T(new float[6], 2, 3).MatMul(T(new float[20], 4, 5)));
        Assert.Contains("MatMul", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
        Assert.Contains(Device.ToString(), e.Message);
        var rank = Assert.Throws<ArgumentException>(() => T(new float[3], 3).MatMul(T(new float[3], 3, 1)));
        Assert.Contains("2-D", rank.Message);
    }

    [Fact]
    public void Broadcast_mismatch_names_the_op_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => T(new float[6], 2, 3) + T(new float[2], 2));
        Assert.Contains("Add", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[2]", e.Message);
        var mse = Assert.Throws<ArgumentException>(() => Loss.Mse(T(new float[4], 4), T(new float[4], 4, 1)));
        Assert.Contains("Mse", mse.Message);
    }

    [Fact]
    public void Mixing_dtypes_is_rejected_with_both_types_named()
    {
        if (!SupportsFloat64)
        {
            Assert.Skip($"{Device} has no float64 storage.");
        }

        var e = Assert.Throws<ArgumentException>(() => T([1], 1) * T64([1], 1));
        Assert.Contains("Float32", e.Message);
        Assert.Contains("Float64", e.Message);
        Assert.Contains("Mul", e.Message);
    }

    [Fact]
    public void An_unavailable_device_is_reported_with_the_reason()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2], Device.OpenCL(7)));
        Assert.Contains("opencl:7", e.Message);
    }

    [Fact]
    public void Backward_needs_a_scalar_or_an_explicit_gradient()
    {
        var x = T([1, 2], 2);
        x.RequiresGrad = true;
        using var tape = Tape.Begin();
        var y = x * 2;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("[2]", e.Message);
        Assert.Contains("Backward(gradient)", e.Message);
        Assert.Throws<ArgumentException>(() => y.Backward(T([1, 1, 1], 3)));
    }

    [Fact]
    public void Backward_without_a_tape_says_how_to_record()
    {
        var x = T([1, 2], 2);
        x.RequiresGrad = true;
        var e = Assert.Throws<InvalidOperationException>(() => (x * 2).Sum().Backward());
        Assert.Contains("Tape.Begin", e.Message);
    }

    [Fact]
    public void Bad_class_ids_and_shapes_are_rejected()
    {
        var logits = T(new float[6], 2, 3);
        var range = Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, T([0, 3], 2)));
        Assert.Contains("row 1", range.Message);
        Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, T([0.5f, 1], 2)));
        Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(logits, T([0, 1, 2], 3)));
        Assert.Throws<ArgumentException>(() => T(new float[6], 2, 3).Reshape(4, -1));
        Assert.Throws<InvalidOperationException>(() => T(new float[2], 2).Item());
        Assert.Throws<ArgumentOutOfRangeException>(() => T(new float[2], 2).Sum(1));
        Assert.Throws<ArgumentException>(() => T(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => T(new float[0], 0).Max());
    }
}
