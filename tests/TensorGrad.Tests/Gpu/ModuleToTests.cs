using TensorGrad.Nn;

namespace TensorGrad.Tests.Gpu;

/// <summary>Module.To(device): parameters, buffers and gradients move in place, as PyTorch's module.to.</summary>
public sealed class ModuleToTests
{
    private static readonly Device Accelerator = Device.IlgpuCpu();

    [Fact]
    public void AMovedModelComputesTheSameOutputAndKeepsItsTensorObjects()
    {
        var model = new Sequential(new Linear(4, 3), new BatchNorm1d(3), new ReLU(), new Linear(3, 2));
        var input = Tensor.FromArray([1f, 2, -1, 0.5f, -2, 1, 0, 3, 0.25f, -0.5f, 2, 1], 3, 4);
        using (var tape = Tape.Begin())
        {
            model.Forward(input).Sum().Backward();
        }

        var before = model.Eval().Forward(input).ToArray();
        var tensors = model.StateDict().Values.ToList();
        var weight = (Linear)model[0];
        var gradient = weight.Weight.Grad!.ToArray();

        model.To(Accelerator);

        Assert.All(model.StateDict().Values, t => Assert.Equal(Accelerator, t.Device));
        Assert.Equal(tensors, model.StateDict().Values);
        Assert.Equal(Accelerator, weight.Weight.Grad!.Device);
        Assert.Equal(gradient, weight.Weight.Grad.ToArray());
        Assert.Equal(before, model.Forward(input.To(Accelerator)).ToArray(), (a, b) => Math.Abs(a - b) <= 1e-5f);

        model.To(Device.Cpu);
        Assert.Equal(before, model.Forward(input).ToArray(), (a, b) => Math.Abs(a - b) <= 1e-5f);
    }

    [Fact]
    public void AViewTakenBeforeTheMoveRefusesToBeUsed()
    {
        var layer = new Linear(2, 2);
        var view = layer.Weight.Detach();

        layer.To(Accelerator);

        var e = Assert.Throws<ObjectDisposedException>(() => view.ToArray());
        Assert.Contains("Module.To moved", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, layer.Weight.Detach().ToArray().Length);
    }
}
