namespace TensorGrad.Tests.Core;

/// <summary>Shapes whose element count overflows are refused where they are made; sizes past a backend's limit name the op and the shape.</summary>
public sealed class SizeOverflowTests
{
    public static TheoryData<int[]> Overflowing => new([65536, 65536, 65536, 65536], [int.MaxValue, int.MaxValue, int.MaxValue], [1 << 30, 1 << 30, 1 << 30]);

    [Theory]
    [MemberData(nameof(Overflowing))]
    public void A_shape_whose_element_count_overflows_is_refused_by_every_factory(int[] dimensions)
    {
        string shape = $"[{string.Join(", ", dimensions)}]";
        foreach (var make in new Action[]
        {
            () => _ = new Shape(dimensions),
            () => Tensor.Zeros(new Shape(dimensions)),
            () => Tensor.Rand(new Shape(dimensions), 1),
            () => Tensor.FromArray(new float[0], dimensions),
            () => Tensor.Zeros([0]).Reshape(dimensions),
        })
        {
            var e = Assert.Throws<ArgumentException>(make);
            Assert.Contains(shape, e.Message);
            Assert.Contains("2⁶³", e.Message);
        }
    }

    [Fact]
    public void A_zero_dimension_makes_any_shape_empty()
    {
        Assert.Equal(0, new Shape(int.MaxValue, int.MaxValue, int.MaxValue, 0).Size);
        Assert.Equal(0, Tensor.Zeros([65536, 0, 65536, 65536, 65536]).Size);
    }

    [Fact]
    public void Reshape_with_an_inferred_dimension_refuses_known_dimensions_that_overflow()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([4]).Reshape(65536, 65536, 65536, 65536, -1));
        Assert.Contains("Reshape", e.Message);
    }

    [Fact]
    public void A_tensor_past_the_cpu_backends_limit_names_the_op_the_shape_and_the_limit()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([int.MaxValue, 3]));
        Assert.Contains("[2147483647, 3]", e.Message);
        Assert.Contains("6442450941 elements", e.Message);
        Assert.Contains($"{Array.MaxLength}", e.Message);
        Assert.Contains("cpu", e.Message);
        Assert.Matches("^(Zeros|Full): ", e.Message);
    }
}
