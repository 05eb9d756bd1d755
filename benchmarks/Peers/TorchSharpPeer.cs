using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace TensorGrad.Peers;

/// <summary>The workloads on TorchSharp (libtorch for the CPU), from this process.</summary>
public sealed class TorchSharpPeer : IPeer
{
    private readonly Dictionary<string, Action> steps = [];
    private readonly List<IDisposable> owned = [];

    private TorchSharpPeer(int threads)
    {
        torch.set_num_threads(threads);
        Description = $"TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch CPU, {torch.get_num_threads()} threads)";
    }

    public string Name => "TorchSharp";

    public string Description { get; }

    /// <summary>Loads libtorch and sets its thread count.</summary>
    /// <exception cref="PeerUnavailableException">libtorch or TorchSharp's glue library cannot be loaded.</exception>
    public static TorchSharpPeer Create(int threads)
    {
        // Load the glue library first: when it fails, the dynamic loader's message names the cause
        // (a missing symbol version, a missing file), which TorchSharp's own error does not.
        string glue = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(glue) && !NativeLibrary.TryLoad(glue, out _))
        {
            try
            {
                NativeLibrary.Load(glue);
            }
            catch (DllNotFoundException e)
            {
                throw new PeerUnavailableException($"could not load libLibTorchSharp.so: {e.Message}", e);
            }
        }

        try
        {
            return new TorchSharpPeer(threads);
        }
        catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException)
        {
            throw new PeerUnavailableException($"could not load libtorch: {e.Message}", e);
        }
    }

    public double SecondsPerCall(Workload workload, TimingSettings timing)
    {
        if (!steps.TryGetValue(workload.Id, out var step))
        {
            step = Create(workload);
            steps[workload.Id] = step;
        }

        return timing.MedianSecondsPerCall(step);
    }

    public void Dispose()
    {
        foreach (var item in owned)
        {
            item.Dispose();
        }

        owned.Clear();
        steps.Clear();
    }

    private Action Create(Workload workload)
    {
        torch.manual_seed(1);
        switch (workload.Kind)
        {
            case WorkloadKind.Mlp:
            {
                var model = Keep(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)));
                optim.Optimizer optimizer = workload.Optimizer == "sgd"
                    ? optim.SGD(model.parameters(), 0.01, momentum: 0.9)
                    : optim.Adam(model.parameters(), 1e-3);
                var x = Keep(torch.rand(workload.Size, 784));
                var y = Keep(torch.tensor(Enumerable.Range(0, workload.Size).Select(i => (long)(i % 10)).ToArray()));
                return () => Step(optimizer, () => nn.functional.cross_entropy(model.forward(x), y));
            }

            case WorkloadKind.Tiny:
            {
                var model = Keep(nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 1), nn.Sigmoid()));
                var sgd = optim.SGD(model.parameters(), 0.5);
                var x = Keep(torch.randn(4, 4));
                var y = Keep(torch.rand(4, 1));
                return () => Step(sgd, () => nn.functional.mse_loss(model.forward(x), y));
            }

            case WorkloadKind.Sgemm:
            {
                var a = Keep(torch.rand(workload.Size, workload.Size));
                var b = Keep(torch.rand(workload.Size, workload.Size));
                return () => torch.mm(a, b).Dispose();
            }

            case WorkloadKind.Add:
            {
                var a = Keep(torch.ones(1));
                var b = Keep(torch.ones(1));
                return () => (a + b).Dispose();
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(workload), workload.Kind, "Unknown workload kind.");
        }
    }

    // Forward and loss, zero the gradients, backward, update; the scope disposes every intermediate.
    private static void Step(optim.Optimizer optimizer, Func<TorchTensor> loss)
    {
        using var scope = torch.NewDisposeScope();
        var value = loss();
        optimizer.zero_grad();
        value.backward();
        optimizer.step();
    }

    private T Keep<T>(T item)
        where T : IDisposable
    {
        owned.Add(item);
        return item;
    }
}
