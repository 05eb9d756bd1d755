using TensorGrad.Backends;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Tests.Suite;

/// <summary>Conv2d and the tensor ops around it: hand-computed values, an im2col-free direct reference, gradient checks, errors, a replayed CNN step (the pools are in <c>BackendSuite.Pooling.cs</c>).</summary>
public abstract partial class BackendSuite
{
    /// <summary>(batch, channels, height, width, out, kernelH, kernelW, stride, padding, dilation, groups, bias).</summary>
    public static TheoryData<int, int, int, int, int, int, int, (int, int), (int, int), (int, int), int, bool> ConvCases => new()
    {
        { 1, 1, 4, 4, 1, 3, 3, (1, 1), (0, 0), (1, 1), 1, true },
        { 3, 2, 5, 6, 3, 3, 2, (2, 1), (1, 0), (1, 1), 1, false },
        { 1, 4, 6, 5, 4, 3, 3, (1, 1), (1, 1), (1, 1), 4, true },   // depthwise
        { 3, 4, 7, 7, 6, 2, 3, (1, 2), (0, 1), (2, 1), 2, true },
        { 1, 3, 5, 5, 2, 1, 1, (1, 1), (0, 0), (1, 1), 1, true },   // 1×1
        { 2, 1, 9, 6, 2, 3, 3, (3, 2), (2, 2), (2, 2), 1, false },
        { 3, 4, 6, 7, 6, 3, 2, (1, 1), (2, 1), (2, 1), 2, true },   // stride 1, dilated, grouped
        { 2, 3, 5, 4, 2, 1, 1, (1, 1), (1, 1), (1, 1), 1, false },  // 1×1 with padding: the input gradient crops
        { 2, 2, 4, 5, 3, 2, 2, (1, 1), (2, 0), (1, 1), 1, true },   // padding beyond the kernel's reach
        { 2, 2, 3, 12, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, true },  // rows wide enough for the CPU's padded GEMMs
        { 1, 2, 2, 16, 2, 1, 2, (1, 1), (0, 2), (1, 1), 1, false }, // padded, the input gradient crops the padding
        { 1, 4, 4, 20, 4, 2, 3, (1, 1), (1, 2), (1, 2), 2, true },  // padded, dilated and grouped
        { 2, 3, 6, 7, 4, 3, 3, (1, 1), (1, 2), (1, 2), 1, true },   // rows too narrow for one wide copy: shifted copies, dilated
        { 2, 1, 6, 14, 6, 3, 3, (1, 1), (0, 0), (1, 1), 1, true },  // one input channel: the CPU's weight gradient takes shifted copies over one wide one
    };

    [Fact]
    public void Conv2d_matches_a_hand_computed_three_by_three_kernel_on_a_four_by_four_image()
    {
        // x[r, c] = 4r + c + 1; the kernel adds v + 2·right + below-right - two-down-two-right = 3v - 3 for the window's top-left v.
        var x = T([.. Enumerable.Range(1, 16).Select(v => (float)v)], 1, 1, 4, 4);
        var w = T([1, 2, 0, 0, 1, 0, 0, 0, -1], 1, 1, 3, 3);
        var b = T([1], 1);
        Recorded(() =>
        {
            AssertClose([1, 4, 13, 16], x.Conv2d(w, b).ToArray());
            var padded = x.Conv2d(w, b, padding: 1).ToArray();
            Assert.Equal(16, padded.Length);
            Assert.Equal(1 + 0 + 0 + 1 - 6, padded[0]); // the window centred on x[0, 0]: 1·x[0,0] - x[1,1] + bias
            Assert.Equal(16f, x.Conv2d(w, b, padding: 1).ToArray()[10]);
        });
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_matches_a_direct_reference(int n, int c, int h, int w, int o, int kh, int kw, (int, int) stride, (int, int) padding, (int, int) dilation, int groups, bool bias)
    {
        var r = new Random(n + (7 * c) + (13 * h) + kw);
        var x = Tensor.Rand(new Shape(n, c, h, w), r, -1, 1, Device);
        var weight = Tensor.Rand(new Shape(o, c / groups, kh, kw), r, -1, 1, Device);
        var b = bias ? Tensor.Rand(new Shape(o), r, -1, 1, Device) : null;
        var expected = Reference.Conv2d(x, weight, b, stride, padding, dilation, groups);
        Recorded(() =>
        {
            var y = x.Conv2d(weight, b, stride, padding, dilation, groups);
            Assert.Equal(expected.Shape, y.Shape);
            AssertClose(expected.Values, y.ToArray(), 1e-5);
        });
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_gradients_match_finite_differences(int n, int c, int h, int w, int o, int kh, int kw, (int, int) stride, (int, int) padding, (int, int) dilation, int groups, bool bias)
    {
        var r = new Random(n + (3 * c) + (5 * h) + kh);
        var x = Param64(r, -1, 1, n, c, h, w);
        var weight = Param64(r, -1, 1, o, c / groups, kh, kw);
        Tensor[] inputs = bias ? [x, weight, Param64(r, -1, 1, o)] : [x, weight];
        AssertGradients(t => t[0].Conv2d(t[1], bias ? t[2] : null, stride, padding, dilation, groups), inputs);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 2, 1)]
    [InlineData(2, 1, 2)]
    public void Conv2d_gradients_of_a_large_layer_are_the_adjoint_of_its_forward(int stride, int dilation, int groups)
    {
        // Without bias the convolution is linear in x and in the weight, so for any output gradient
        // gy: <gradX, x> = <conv(x, w), gy> = <gradW, w>. The sizes span several GEMM depth slices
        // (288 column rows) and column blocks (576 output positions).
        var r = new Random(stride + (3 * dilation) + (5 * groups));
        var x = Param64(r, -1, 1, 2, 32, 24, 24);
        var weight = Param64(r, -1, 1, 8, 32 / groups, 3, 3);
        double forward = 0, byInput = 0, byWeight = 0;
        Recorded(() =>
        {
            var y = x.Conv2d(weight, null, (stride, stride), (dilation, dilation), (dilation, dilation), groups);
            var gy = Tensor.Rand(y.Shape, r, -1, 1, Device, DType.Float64);
            var loss = (y * gy).Sum();
            loss.Backward();
            forward = loss.Item();
            byInput = (x.Grad! * x).Sum().Item();
            byWeight = (weight.Grad! * weight).Sum().Item();
        });
        Assert.Equal(forward, byInput, 1e-9 * Math.Abs(forward) + 1e-9);
        Assert.Equal(forward, byWeight, 1e-9 * Math.Abs(forward) + 1e-9);
        Assert.True(Math.Abs(forward) > 1, $"the product {forward} is too small to compare");
    }

    [Theory]
    [InlineData(3, 64, 10, 12, 8, 3, 3, 1, 1, 1, 1)]   // stride 1, padded
    [InlineData(2, 64, 9, 11, 6, 3, 2, 2, 0, 2, 2)]    // strided, dilated, two groups of 32 channels
    [InlineData(1, 32, 6, 7, 5, 1, 1, 1, 0, 1, 1)]     // pointwise
    [InlineData(2, 32, 5, 40, 4, 5, 5, 1, 2, 1, 1)]    // 5×5 over rows longer than a register tile
    [InlineData(2, 32, 12, 13, 64, 3, 3, 1, 1, 1, 1)]  // 64 outputs over 156 positions (a ragged block of 8)
    [InlineData(3, 64, 8, 8, 64, 5, 5, 1, 0, 1, 2)]    // two groups of 32 outputs over narrow rows
    [InlineData(2, 64, 7, 9, 32, 3, 3, 1, 2, 2, 1)]    // 32 outputs, dilated
    public void Float_convolutions_with_many_channels_match_a_direct_reference(int n, int c, int h, int w, int o, int kh, int kw, int stride, int padding, int dilation, int groups)
    {
        // Groups of 32 channels or more: the layouts the CPU backend's channels-last weight
        // gradient and its position-major products serve.
        var r = new Random(n + c + h + w + kh + stride + o);
        var x = Tensor.Rand(new Shape(n, c, h, w), r, -1, 1, Device);
        x.RequiresGrad = true;
        var weight = Tensor.Rand(new Shape(o, c / groups, kh, kw), r, -1, 1, Device);
        weight.RequiresGrad = true;
        var bias = Tensor.Rand(new Shape(o), r, -1, 1, Device);
        Recorded(() =>
        {
            var y = x.Conv2d(weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);
            AssertClose(Reference.Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups).Values, y.ToArray(), 1e-4);
            var gy = Tensor.Rand(y.Shape, r, -1, 1, Device);
            (y * gy).Sum().Backward();
            AssertClose(Reference.Conv2dWeightGradient(x, gy, weight.Shape, (stride, stride), (padding, padding), (dilation, dilation), groups), weight.Grad!.ToArray(), 1e-4);
            AssertClose(Reference.Conv2dInputGradient(x.Shape, weight, gy, (stride, stride), (padding, padding), (dilation, dilation), groups), x.Grad!.ToArray(), 1e-4);
        });
    }

    [Fact]
    public void Double_convolution_with_32_outputs_matches_a_direct_reference()
    {
        // 32 double outputs make two register tiles of 16 for the CPU backend's position-major
        // product, whose tiles go into the output planes element by element (float: transposes);
        // 5×7 positions end in a ragged block of 3.
        var r = new Random(32);
        var x = Tensor.Rand(new Shape(2, 8, 5, 7), r, -1, 1, Device, DType.Float64);
        x.RequiresGrad = true;
        var weight = Tensor.Rand(new Shape(32, 8, 3, 3), r, -1, 1, Device, DType.Float64);
        weight.RequiresGrad = true;
        var bias = Tensor.Rand(new Shape(32), r, -1, 1, Device, DType.Float64);
        Recorded(() =>
        {
            var y = x.Conv2d(weight, bias, 1, 1, 1, 1);
            AssertClose(Reference.Conv2d(x, weight, bias, (1, 1), (1, 1), (1, 1), 1).Values, y.ToDoubleArray(), 1e-12);
            var gy = Tensor.Rand(y.Shape, r, -1, 1, Device, DType.Float64);
            (y * gy).Sum().Backward();
            AssertClose(Reference.Conv2dInputGradient(x.Shape, weight, gy, (1, 1), (1, 1), (1, 1), 1), x.Grad!.ToDoubleArray(), 1e-12);
        });
    }

    [Fact]
    public void Conv2d_gives_the_same_values_and_gradients_when_the_batch_runs_in_passes()
    {
        // The composite convolution (BackendBase, which the GPU backend runs) splits the batch into
        // passes when a group's column matrix would exceed the backend's ColumnBudget; a budget of
        // two images forces passes of 2, 2 and 1 images (the CPU backend's own kernels ignore it).
        var r = new Random(4);
        var x = Param64(r, -1, 1, 5, 4, 6, 7);
        var weight = Param64(r, -1, 1, 6, 2, 3, 3);
        var bias = Param64(r, -1, 1, 6);
        double[][] Run()
        {
            double[][] result = [];
            (x.Grad, weight.Grad, bias.Grad) = (null, null, null);
            Recorded(() =>
            {
                var y = x.Conv2d(weight, bias, 1, 1, 1, groups: 2);
                (y * y).Sum().Backward();
                result = [y.ToDoubleArray(), x.Grad!.ToDoubleArray(), weight.Grad!.ToDoubleArray(), bias.Grad!.ToDoubleArray()];
            });
            return result;
        }

        var whole = Run();
        if (x.Backend is not BackendBase backend)
        {
            Assert.Skip($"the {Device} backend does not derive from BackendBase");
            return;
        }

        long budget = backend.ColumnBudget;
        backend.ColumnBudget = 2L * (2 * 3 * 3) * (6 * 7);
        try
        {
            var passes = Run();
            for (int i = 0; i < whole.Length; i++)
            {
                AssertClose(whole[i], passes[i], 1e-12);
            }
        }
        finally
        {
            backend.ColumnBudget = budget;
        }
    }

    [Fact]
    public void Same_padding_keeps_the_size_and_pads_an_even_kernel_more_at_the_bottom_right()
    {
        var r = new Random(5);
        var x = Tensor.Rand(new Shape(2, 2, 5, 6), r, -1, 1, Device);
        var w = Tensor.Rand(new Shape(3, 2, 4, 2), r, -1, 1, Device);
        var reference = Reference.Conv2d(Reference.Pad(x, top: 1, bottom: 2, left: 0, right: 1), w, null, (1, 1), (0, 0), (1, 1), 1);
        Recorded(() =>
        {
            var y = x.Conv2d(w, padding: "same");
            Assert.Equal(new Shape(2, 3, 5, 6), y.Shape);
            AssertClose(reference.Values, y.ToArray(), 1e-5);
        });
        Assert.Throws<ArgumentException>(() => x.Conv2d(w, padding: Padding2d.Same, stride: 2));
    }

    [Fact]
    public void Permute_transpose_concat_and_stack_move_values_and_gradients()
    {
        var r = new Random(9);
        var a = Param64(r, -1, 1, 2, 3, 4);
        var b = Param64(r, -1, 1, 2, 1, 4);
        Recorded(() =>
        {
            var av = a.ToDoubleArray();
            var p = a.Permute(2, 0, 1);
            Assert.Equal(new Shape(4, 2, 3), p.Shape);
            Assert.Equal(av[(1 * 12) + (2 * 4) + 3], p.ToDoubleArray()[(3 * 6) + (1 * 3) + 2]);
            Assert.Equal(new Shape(2, 4, 3), a.Transpose(-1, 1).Shape);
            Assert.Equal(av[(1 * 12) + (2 * 4) + 3], a.Transpose(1, 2).ToDoubleArray()[(1 * 12) + (3 * 3) + 2]);

            var cat = Tensor.Concat([a, b], 1);
            Assert.Equal(new Shape(2, 4, 4), cat.Shape);
            var bv = b.ToDoubleArray();
            Assert.Equal(bv[4 + 2], cat.ToDoubleArray()[16 + 12 + 2]);
            Assert.Equal(av[12 + 8 + 1], cat.ToDoubleArray()[16 + 8 + 1]);
            var stacked = Tensor.Stack([a, a * 2], -1);
            Assert.Equal(new Shape(2, 3, 4, 2), stacked.Shape);
            Assert.Equal(2 * av[5], stacked.ToDoubleArray()[11]);
        });
        AssertGradients(t => t[0].Permute(1, 2, 0), a);
        AssertGradients(t => t[0].Transpose(0, 2), a);
        AssertGradients(t => Tensor.Concat([t[0], t[1], t[0]], -2), a, b);
        AssertGradients(t => Tensor.Stack([t[0], t[0] * t[0]], 1), a);
    }

    [Fact]
    public void Convolution_and_pooling_errors_name_the_layer_and_the_shapes()
    {
        var x = Tensor.Zeros(new Shape(2, 3, 8, 8), Device);
        var conv = new Conv2d(4, 8, 3, device: Device);
        var error = Assert.Throws<ArgumentException>(() => conv.Forward(x));
        Assert.Contains("Conv2d", error.Message);
        Assert.Contains("[2, 3, 8, 8]", error.Message);
        Assert.Contains("[8, 4, 3, 3]", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 9, device: Device).Forward(x));
        Assert.Contains("larger than the padded input 8×8", error.Message);
        Assert.Contains("[2, 3, 8, 8]", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2, device: Device));
        Assert.Contains("groups", error.Message);
        error = Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(new Shape(4, 1, 3, 3), Device), groups: 2));
        Assert.Contains("groups = 2", error.Message);

        error = Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, device: Device).Forward(Tensor.Zeros(new Shape(3, 8, 8), Device)));
        Assert.Contains("4-D", error.Message);
        Assert.Contains("[3, 8, 8]", error.Message);

        error = Assert.Throws<ArgumentException>(() => new MaxPool2d(2).Forward(Tensor.Zeros(new Shape(3, 8, 8), Device)));
        Assert.Contains("MaxPool2d", error.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(2, padding: 2));
        Assert.Contains("half the kernel", range.Message);
    }

    [Fact]
    public void Conv2d_module_has_pytorch_names_shapes_and_initial_bounds()
    {
        var conv = new Conv2d(6, 4, (3, 2), groups: 2, device: Device, seed: 3);
        Assert.Equal(["weight", "bias"], conv.StateDict().Keys);
        Assert.Equal(new Shape(4, 3, 3, 2), conv.Weight.Shape);
        double bound = 1 / Math.Sqrt(3 * 3 * 2);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(conv.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Contains(conv.Weight.ToArray(), v => Math.Abs(v) > bound / 2);
        Assert.Equal(new Shape(5, 4, 4, 3), conv.Forward(Tensor.Zeros(new Shape(5, 6, 6, 4), Device)).Shape);
    }

    [Fact]
    public void A_replayed_cnn_training_step_matches_eager_training_and_allocates_nothing()
    {
        Sequential Net() => new(
            new Conv2d(1, 4, 3, padding: 1, device: Device, seed: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 6, 3, groups: 2, device: Device, seed: 2), new ReLU(), new AvgPool2d(2, padding: 1),
            new Flatten(), new Linear(6 * 2 * 2, 3, Device, seed: 4));
        var r = new Random(10);
        var x = Tensor.Rand(new Shape(5, 1, 8, 8), r, 0, 1, Device);
        var y = T([0, 2, 1, 1, 0], 5);
        var (eager, replayed) = (Net(), Net());
        var (eagerOpt, replayedOpt) = (new Sgd(eager.Parameters(), lr: 0.1), new Sgd(replayed.Parameters(), lr: 0.1));
        using var graph = CaptureLoss(replayed, x, y);
        replayedOpt.Step();
        float last = 0;
        for (int step = 0; step < 4; step++)
        {
            Recorded(() =>
            {
                eagerOpt.ZeroGrad();
                var loss = Loss.CrossEntropy(eager.Forward(x), y);
                loss.Backward();
                last = loss.Item();
            });
            eagerOpt.Step();
            if (step > 0)
            {
                replayedOpt.ZeroGrad();
                graph.Replay();
                replayedOpt.Step();
                Assert.Equal(last, graph.Output.Item(), 4);
            }
        }

        AssertClose([.. eager.Parameters()[0].ToArray().Select(v => (double)v)], replayed.Parameters()[0].ToArray(), 1e-4);
        if (LaunchesAllocate is null)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            replayedOpt.ZeroGrad();
            graph.Replay();
            replayedOpt.Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
