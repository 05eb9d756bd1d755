using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>The activations beyond ReLU, Sigmoid and Tanh, against PyTorch's values, and the layers that shape networks.</summary>
public abstract partial class BackendSuite
{
    private static readonly float[] ActivationPoints = [-3, -1, -0.5f, 0, 0.5f, 1, 3];

    private static readonly string[] ActivationNames = ["gelu", "gelu_tanh", "elu_1.5", "silu", "softplus_2_3"];

    /// <summary>PyTorch 1.13 values (float64) of each activation and of its gradient at <see cref="ActivationPoints"/>.</summary>
    public static TheoryData<string, double[], double[]> PyTorchActivations => new()
    {
        { "gelu", [-0.0040496941, -0.1586552539, -0.1542687694, 0.0, 0.3457312306, 0.8413447461, 2.9959503059], [-0.0119456472, -0.0833154706, 0.1325048753, 0.5, 0.8674951247, 1.0833154706, 1.0119456472] },
        { "gelu_tanh", [-0.0036373921, -0.1588080094, -0.1542859902, 0.0, 0.3457140098, 0.8411919906, 2.9963626079], [-0.0115841666, -0.0829640838, 0.1326300965, 0.5, 0.8673699035, 1.0829640838, 1.0115841666] },
        { "elu_1.5", [-1.4253193974, -0.9481808382, -0.5902040104, 0.0, 0.5, 1.0, 3.0], [0.0746806026, 0.5518191618, 0.9097959896, 1.5, 1.0, 1.0, 1.0] },
        { "silu", [-0.1422776195, -0.2689414214, -0.1887703344, 0.0, 0.3112296656, 0.7310585786, 2.8577223805], [-0.088104106, 0.0723294881, 0.2600388127, 0.5, 0.7399611873, 0.9276705119, 1.088104106] },
        { "softplus_2_3", [0.0012378426, 0.0634640055, 0.1566308438, 0.3465735903, 0.6566308438, 1.0634640055, 3.0], [0.0024726232, 0.119202922, 0.2689414214, 0.5, 0.7310585786, 0.880797078, 1.0] },
    };

    [Theory]
    [MemberData(nameof(PyTorchActivations))]
    public void Activations_and_their_gradients_match_pytorch(string name, double[] values, double[] gradients)
    {
        Recorded(() =>
        {
            var x = T(ActivationPoints, ActivationPoints.Length);
            x.RequiresGrad = true;
            var y = Activation(name, x);
            y.Sum().Backward();

            AssertClose(values, y.ToArray());
            AssertClose(gradients, x.Grad!.ToArray());
        });
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void New_activation_gradients_match_finite_differences(int n)
    {
        var x = Param64(new Random(n + 5), -4, 4, n);
        foreach (string name in ActivationNames)
        {
            AssertGradients(t => Activation(name, t[0]), x);
        }
    }

    [Fact]
    public void Gelu_is_exact_far_into_both_tails()
    {
        var x = T64([-12, -6, -2.5, 2.5, 6, 12], 6);

        // x·Φ(x), with Φ = erfc(-x/√2)/2 from Python's math.erfc.
        double[] phi = [1.7764821120776e-33, 9.8658764503769e-10, 0.0062096653257761, 0.99379033467422, 0.99999999901341, 1];
        double[] expected = [.. new[] { -12, -6, -2.5, 2.5, 6, 12 }.Select((v, i) => v * phi[i])];
        var actual = x.Gelu().ToDoubleArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Abs(expected[i]), $"GELU({x.ToDoubleArray()[i]}): expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Fact]
    public void Activation_arguments_are_checked_with_the_op_named()
    {
        var x = T([1, 2], 2);

        Assert.Contains("Gelu", Assert.Throws<ArgumentException>(() => x.Gelu("fast")).Message);
        Assert.Contains("Softplus", Assert.Throws<ArgumentOutOfRangeException>(() => x.Softplus(beta: 0)).Message);
        Assert.Contains("GELU", Assert.Throws<ArgumentException>(() => new GELU("erf")).Message);
    }

    [Fact]
    public void Activation_modules_apply_their_settings_and_print_them_as_pytorch_does()
    {
        var x = T([-1, 2], 2);

        AssertClose([-1.5 * (1 - Math.Exp(-1)), 2], new ELU(1.5).Forward(x).ToArray());
        AssertClose([-0.2689414214, 1.7615941560], new SiLU().Forward(x).ToArray());
        AssertClose(x.Gelu("tanh").ToArray().Select(v => (double)v).ToArray(), new GELU("tanh").Forward(x).ToArray());
        AssertClose([0.0634640055, 2], new Softplus(2, 3).Forward(x).ToArray());
        Assert.Equal("GELU()", new GELU().ToString());
        Assert.Equal("GELU(approximate='tanh')", new GELU("tanh").ToString());
        Assert.Equal("ELU(alpha=1.5)", new ELU(1.5).ToString());
        Assert.Equal("Softplus(beta=2, threshold=3)", new Softplus(2, 3).ToString());
    }

    [Fact]
    public void Softmax_modules_and_flatten_and_identity_shape_as_pytorch()
    {
        var x = T([1, 2, 3, 4, 5, 6], 2, 3);
        var image = T(new float[2 * 3 * 4 * 5], 2, 3, 4, 5);

        AssertClose(x.Softmax(0).ToArray().Select(v => (double)v).ToArray(), new Nn.Softmax(0).Forward(x).ToArray());
        AssertClose(x.LogSoftmax(-1).ToArray().Select(v => (double)v).ToArray(), new LogSoftmax(-1).Forward(x).ToArray());
        Assert.Equal(new Shape(2, 60), new Flatten().Forward(image).Shape);
        Assert.Equal(new Shape(2, 12, 5), new Flatten(1, 2).Forward(image).Shape);
        Assert.Equal(new Shape(120), image.Flatten().Shape);
        Assert.Same(x, new Identity().Forward(x));
        Assert.Contains("startDim", Assert.Throws<ArgumentException>(() => image.Flatten(2, 1)).Message);
    }

    [Fact]
    public void Residual_adds_its_input_to_its_block_and_names_parameters_under_block()
    {
        var block = new Sequential(new Linear(3, 3, device: Device), new Tanh());
        var residual = new Residual(block);
        var x = T([0.5f, -1, 2, 1, 0, -0.5f], 2, 3);

        Recorded(() =>
        {
            var expected = (x + block.Forward(x)).ToArray();
            AssertClose([.. expected.Select(v => (double)v)], residual.Forward(x).ToArray());
        });
        Assert.Equal(["block.0.weight", "block.0.bias"], residual.NamedParameters().Select(p => p.Name));
        var narrowing = new Residual(new Linear(3, 2, device: Device));
        var error = Assert.Throws<ArgumentException>(() => narrowing.Forward(x));
        Assert.Contains("Residual", error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[2, 2]", error.Message);
    }

    [Fact]
    public void Residual_gradients_match_finite_differences()
    {
        var r = new Random(9);
        var x = Param64(r, -1, 1, 4, 3);
        var w = Param64(r, -1, 1, 3, 3);
        AssertGradients(t => t[0] + t[0].MatMul(t[1]).Gelu(), x, w);
    }

    [Fact]
    public void Module_list_registers_its_modules_and_has_no_forward()
    {
        var list = new ModuleList(Enumerable.Range(0, 3).Select(_ => new Linear(2, 2, device: Device)));
        list.Add(new ReLU());

        Assert.Equal(4, list.Count);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"], list.NamedParameters().Select(p => p.Name));
        Assert.Throws<NotSupportedException>(() => list.Forward(T([1, 2], 1, 2)));
    }

    private static Tensor Activation(string name, Tensor x) => name switch
    {
        "gelu" => x.Gelu(),
        "gelu_tanh" => x.Gelu("tanh"),
        "elu_1.5" => x.Elu(1.5),
        "silu" => x.Silu(),
        "softplus_2_3" => x.Softplus(2, 3),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown activation"),
    };
}
