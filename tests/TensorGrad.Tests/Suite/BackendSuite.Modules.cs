using TensorGrad.Autograd;
using TensorGrad.Backends;
using TensorGrad.Nn;

namespace TensorGrad.Tests.Suite;

/// <summary>Modules: parameters and names, Linear's math and initialization, modes, state dictionaries.</summary>
public abstract partial class BackendSuite
{
    private Sequential Mlp(int seed) => new(new Linear(4, 8, Device, seed: seed), new ReLU(), new Linear(8, 1, Device, seed: seed + 10));

    [Fact]
    public void Sequential_names_parameters_by_position_as_pytorch_does()
    {
        var model = Mlp(1);
        var named = model.NamedParameters();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], named.Select(p => p.Name));
        Assert.Equal([new Shape(8, 4), new Shape(8), new Shape(1, 8), new Shape(1)], named.Select(p => p.Parameter.Shape));
        Assert.Equal(4, model.Parameters().Count);
        Assert.All(model.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf && p.Device.Equals(Device)));
        Assert.Equal(3, model.Count);
        Assert.IsType<ReLU>(model[1]);
    }

    [Fact]
    public void Linear_computes_x_times_weight_transposed_plus_bias()
    {
        var layer = new Linear(3, 2, Device);
        layer.Weight.CopyFrom(T([1, 2, 3, -1, 0, 1], 2, 3));
        layer.Bias!.CopyFrom(T([0.5f, -0.5f], 2));
        var y = layer.Forward(T([1, 1, 1, 2, 0, -1], 2, 3));
        Assert.Equal(new Shape(2, 2), y.Shape);
        AssertClose([6.5, -0.5, -0.5, -3.5], y.ToArray());

        // Leading dimensions are kept: [2, 1, 3] -> [2, 1, 2].
        var batched = layer.Forward(T([1, 1, 1, 2, 0, -1], 2, 1, 3));
        Assert.Equal(new Shape(2, 1, 2), batched.Shape);
        AssertClose([6.5, -0.5, -0.5, -3.5], batched.ToArray());
    }

    [Fact]
    public void Linear_gradients_match_numeric_differences()
    {
        if (!SupportsFloat64)
        {
            Assert.Skip($"{Device} has no float64 storage for the numeric gradient check.");
        }

        var layer = new Linear(3, 4, Device, dtype: DType.Float64, seed: 5);
        var x = Param64(new Random(3), -1, 1, 5, 3);
        AssertGradients(inputs => layer.Forward(inputs[0]).Tanh(), x, layer.Weight, layer.Bias!);

        // No bias, and an input with leading dimensions (flattened to rows and back).
        var plain = new Linear(3, 2, Device, bias: false, dtype: DType.Float64, seed: 6);
        AssertGradients(inputs => plain.Forward(inputs[0]).Tanh(), Param64(new Random(4), -1, 1, 2, 5, 3), plain.Weight);
    }

    [Fact]
    public void A_linear_and_relu_pair_runs_as_one_op_with_the_values_and_gradients_of_the_two()
    {
        var model = new Sequential(new Linear(5, 7, Device, seed: 1), new ReLU(), new Linear(7, 3, Device, seed: 2));
        var x = Tensor.Randn([6, 5], 3, Device);
        (float[] Output, float[][] Grads, int Nodes) Run()
        {
            model.ZeroGrad();
            using var tape = Tape.Begin();
            var y = model.Forward(x);
            y.Square().Sum().Backward();
            return (y.ToArray(), [.. model.Parameters().Select(p => p.Grad!.ToArray())], tape.NodeCount);
        }

        var fused = Run();

        // A hook on the ReLU needs its own output, so the pair runs as two ops.
        float[]? seen = null;
        using (model[1].RegisterForwardHook((_, _, output) => seen = output.ToArray()))
        {
            var separate = Run();
            Assert.Equal(fused.Nodes + 1, separate.Nodes);
            Assert.Contains(0f, seen!);
            AssertClose([.. separate.Output.Select(v => (double)v)], fused.Output, 1e-6);
            for (int i = 0; i < fused.Grads.Length; i++)
            {
                AssertClose([.. separate.Grads[i].Select(v => (double)v)], fused.Grads[i], 1e-5);
            }
        }

        Assert.Equal(fused.Nodes, Run().Nodes);
    }

    [Fact]
    public void A_relu_before_max_pooling_pools_first_with_the_values_and_gradients_of_the_two()
    {
        var model = new Sequential(new ReLU(), new MaxPool2d(2, 2, 1), new Flatten(), new Linear(2 * 4 * 4, 3, Device, seed: 4));
        var values = Tensor.Randn([2, 2, 7, 7], 5, Device).ToArray();

        // The corner window reads one negative value and padding (the gradient stops at ReLU); the
        // next one down the diagonal has two equal maxima (the first takes the gradient).
        values[0] = -Math.Abs(values[0]) - 1;
        values[8] = values[9] = 5;
        var x = Tensor.FromArray(values, new Shape(2, 2, 7, 7), Device);
        x.RequiresGrad = true;
        (float[] Output, float[] GradX, float[][] Grads, string[] Ops) Run()
        {
            model.ZeroGrad();
            x.Grad = null;
            using var tape = Tape.Begin();
            var y = model.Forward(x);
            y.Square().Sum().Backward();
            return (y.ToArray(), x.Grad!.ToArray(), [.. model.Parameters().Select(p => p.Grad!.ToArray())], [.. tape.Nodes.Select(n => n.Name)]);
        }

        var pooledFirst = Run();
        Assert.Equal(["MaxPool2d", OpNames.Of(UnaryOp.Relu)], pooledFirst.Ops[..2]);
        Assert.Equal(0f, pooledFirst.GradX[0]);
        Assert.NotEqual(0f, pooledFirst.GradX[8]);
        Assert.Equal(0f, pooledFirst.GradX[9]);

        // A hook on the ReLU needs its own output, so ReLU then pools as written.
        float[]? seen = null;
        using (model[0].RegisterForwardHook((_, _, output) => seen = output.ToArray()))
        {
            var asWritten = Run();
            Assert.Equal([OpNames.Of(UnaryOp.Relu), "MaxPool2d"], asWritten.Ops[..2]);
            Assert.Equal(2 * 2 * 7 * 7, seen!.Length);
            Assert.Equal(asWritten.Output, pooledFirst.Output);
            Assert.Equal(asWritten.GradX, pooledFirst.GradX);
            for (int i = 0; i < asWritten.Grads.Length; i++)
            {
                Assert.Equal(asWritten.Grads[i], pooledFirst.Grads[i]);
            }
        }
    }

    [Fact]
    public void Fused_linear_relu_gradients_match_numeric_differences()
    {
        if (!SupportsFloat64)
        {
            Assert.Skip($"{Device} has no float64 storage for the numeric gradient check.");
        }

        var layer = new Linear(4, 6, Device, dtype: DType.Float64, seed: 7);
        var model = new Sequential(layer, new ReLU());
        var x = Param64(new Random(8), -1, 1, 5, 4);
        AssertGradients(inputs => model.Forward(inputs[0]).Tanh(), x, layer.Weight, layer.Bias!);
    }

    [Fact]
    public void Linear_initializes_like_pytorch_within_one_over_root_fan_in()
    {
        var layer = new Linear(64, 200, Device, seed: 1);
        double bound = 1 / Math.Sqrt(64);
        var w = layer.Weight.ToArray();
        var b = layer.Bias!.ToArray();
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.All(b, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(w.Max(Math.Abs) > 0.95 * bound, "weights do not fill their uniform range");

        // Uniform on [-b, b] has standard deviation b/√3.
        double std = Math.Sqrt(w.Average(v => (double)v * v));
        Assert.InRange(std, 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));

        Assert.Equal(w, new Linear(64, 200, Device, seed: 1).Weight.ToArray());
        Assert.NotEqual(w, new Linear(64, 200, Device, seed: 2).Weight.ToArray());
        Assert.Null(new Linear(2, 3, Device, bias: false).Bias);
    }

    [Fact]
    public void Train_and_eval_modes_reach_every_descendant()
    {
        var inner = new Sequential(new Linear(2, 2, Device), new Tanh());
        var model = new Sequential(inner, new Sigmoid());
        model.Eval();
        Assert.False(inner[1].IsTraining);
        Assert.False(model.IsTraining);
        model.Train();
        Assert.True(inner[0].IsTraining);
        Assert.Equal(["0.0.weight", "0.0.bias"], model.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void A_state_dictionary_round_trip_reproduces_the_model()
    {
        var source = Mlp(1);
        var target = Mlp(2);
        var x = T([0.1f, -0.2f, 0.3f, 0.4f, 1, 2, -3, 0.5f], 2, 4);
        Assert.NotEqual(source.Forward(x).ToArray(), target.Forward(x).ToArray());

        var state = source.StateDict();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], state.Keys);
        target.LoadStateDict(state);
        Assert.Equal(source.Forward(x).ToArray(), target.Forward(x).ToArray());
        Assert.NotSame(source.Parameters()[0], target.Parameters()[0]);
    }

    [Fact]
    public void A_mismatched_state_dictionary_is_rejected_whole_and_loads_nothing()
    {
        var target = Mlp(2);
        var before = target.Parameters()[0].ToArray();
        var state = Mlp(1).StateDict();
        state["2.weight"] = T(new float[16], 2, 8);
        state.Remove("2.bias");
        state["extra"] = T([1], 1);

        var e = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));
        Assert.Contains("'2.weight' is [2, 8] in the state dictionary but [1, 8] in the model", e.Message);
        Assert.Contains("'2.bias' [1] is missing", e.Message);
        Assert.Contains("'extra' is not a parameter", e.Message);
        Assert.Equal(before, target.Parameters()[0].ToArray());

        // Without strict, missing and unexpected names are allowed; shapes must still match.
        state["2.weight"] = T(new float[8], 1, 8);
        target.LoadStateDict(state, strict: false);
        Assert.Equal(new float[8], target.Parameters()[2].ToArray());
    }

    [Fact]
    public void Modules_print_as_a_tree()
    {
        var text = Mlp(1).ToString();
        Assert.Equal(
            string.Join(Environment.NewLine, "Sequential(", "  (0): Linear(in=4, out=8, bias=True)", "  (1): ReLU()", "  (2): Linear(in=8, out=1, bias=True)", ")"),
            text);
    }

    [Fact]
    public void Leaky_relu_module_applies_its_slope_and_prints_it_as_pytorch_does()
    {
        var module = new LeakyReLU(0.25);
        var y = module.Forward(T([-4, 2], 2));

        AssertClose([-1, 2], y.ToArray());
        Assert.Equal("LeakyReLU(negative_slope=0.25)", module.ToString());
        Assert.Equal(0.01, new LeakyReLU().NegativeSlope);
    }
}
