using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace TensorGrad.Peers;

/// <summary>The workloads on TorchSharp (libtorch for the CPU), from this process.</summary>
public sealed class TorchSharpPeer : InProcessPeer
{
    private TorchSharpPeer(int threads)
    {
        torch.set_num_threads(threads);
        string? policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        Description = $"TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch CPU, in this process, {torch.get_num_threads()} threads, "
            + (policy is null ? "OpenMP's default wait policy)" : $"OMP_WAIT_POLICY={policy})");
    }

    public override string Name => "TorchSharp";

    public override string Description { get; }

    /// <summary>Loads libtorch and sets its thread count.</summary>
    /// <param name="threads">Threads of libtorch's intra-op pool.</param>
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
                // .NET's message ends with the dynamic loader's own line, which names the cause.
                string cause = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
                string hint = cause.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal)
                    ? " (build with `dotnet build`, whose MarkLibTorchSharpGlibcxxWeak step fixes this copy; see benchmarks/Peers/README.md)"
                    : "";
                throw new PeerUnavailableException($"could not load libLibTorchSharp.so: {cause}{hint}", e);
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

    protected override Action Create(Workload workload)
    {
        torch.manual_seed(1);
        return base.Create(workload);
    }

    protected override Action MlpStep(int batch, string optimizerName)
    {
        var model = Keep(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)));
        optim.Optimizer optimizer = optimizerName == "sgd"
            ? optim.SGD(model.parameters(), 0.01, momentum: 0.9)
            : optim.Adam(model.parameters(), 1e-3);
        var x = Keep(torch.rand(batch, 784));
        var y = Keep(torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray()));
        return () => Step(optimizer, () => nn.functional.cross_entropy(model.forward(x), y));
    }

    protected override Action NormMlpStep(int batch)
    {
        var model = Keep(nn.Sequential(
            nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(128, 10)));
        var adam = optim.Adam(model.parameters(), 1e-3);
        var x = Keep(torch.rand(batch, 784));
        var y = Keep(torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray()));
        return () => Step(adam, () => nn.functional.cross_entropy(model.forward(x), y));
    }

    protected override Action LayerNormStep()
    {
        var layer = Keep(nn.LayerNorm(1024));
        var x = Keep(new TorchSharp.Modules.Parameter(torch.rand(512, 1024)));
        var weights = Keep(torch.rand(512, 1024));
        var sgd = optim.SGD(layer.parameters().Append(x), 1e-9);
        return () => Step(sgd, () => (layer.forward(x) * weights).sum());
    }

    protected override Action LeNetStep(int batch)
    {
        var model = Keep(nn.Sequential(
            nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1024, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10)));
        var adam = optim.Adam(model.parameters(), 1e-3);
        var x = Keep(torch.rand(batch, 1, 28, 28));
        var y = Keep(torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray()));
        return () => Step(adam, () => nn.functional.cross_entropy(model.forward(x), y));
    }

    protected override Action ConvStep(int batch)
    {
        var layer = Keep(nn.Conv2d(64, 64, 3, padding: 1));
        var x = Keep(new TorchSharp.Modules.Parameter(torch.rand(batch, 64, 28, 28)));
        var weights = Keep(torch.rand(batch, 64, 28, 28));
        var sgd = optim.SGD(layer.parameters().Append(x), 1e-9);
        return () => Step(sgd, () => (layer.forward(x) * weights).sum());
    }

    protected override Action TinyStep()
    {
        var model = Keep(nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 1), nn.Sigmoid()));
        var sgd = optim.SGD(model.parameters(), 0.5);
        var x = Keep(torch.randn(4, 4));
        var y = Keep(torch.rand(4, 1));
        return () => Step(sgd, () => nn.functional.mse_loss(model.forward(x), y));
    }

    protected override Action Sgemm(int n)
    {
        var a = Keep(torch.rand(n, n));
        var b = Keep(torch.rand(n, n));
        return () => torch.mm(a, b).Dispose();
    }

    protected override Action AddOne()
    {
        var a = Keep(torch.ones(1));
        var b = Keep(torch.ones(1));
        return () => (a + b).Dispose();
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
}
