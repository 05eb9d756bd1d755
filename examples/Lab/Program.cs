// Backprop Lab: `dotnet run --project examples/Lab -c Release` serves a page on 127.0.0.1:5000 where
// a person drags the learning rate and the batch size (and the optimizer, clipping, schedule,
// depth, activation, residual LayerNorm blocks and initialization) and watches an MLP train on
// the bundled MNIST sample, live: the loss curve, test accuracy, each layer's gradient norm on
// the network diagram, and the status in words (stable, diverging, NaN, vanishing, stalled).
using System.CommandLine;
using System.Globalization;
using TensorGrad;
using TensorGrad.Examples.Common;
using TensorGrad.Lab;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 5000 };
var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, as ASP.NET Core takes them (e.g. http://0.0.0.0:8080); overrides --port", HelpName = "urls" };
var device = new Option<string>("--device") { Description = "Where to train: cpu, cuda[:i], opencl[:i] or auto", DefaultValueFactory = _ => "cpu" };
var data = new Option<string?>("--data") { Description = "Directory with the MNIST IDX files [default: the repository's data/mnist-sample]", HelpName = "dir" };
var maxSessions = new Option<int>("--max-sessions") { Description = "Browser tabs that train at once; more are asked to wait", DefaultValueFactory = _ => 4 };
var root = new RootCommand("Backprop Lab: train an MLP on MNIST live in the browser.") { port, urls, device, data, maxSessions };
root.SetAction(async (result, cancel) =>
{
    string? directory = result.GetValue(data) ?? RepositoryPaths.FindMnistSample();
    if (directory is null || MnistSample.LoadOrReport(directory) is not { } mnist)
    {
        Console.Error.WriteLine(directory is null ? "error: could not find the MNIST sample; pass --data DIR." : "");
        return 2;
    }

    string deviceName = result.GetValue(device)!;
    Device chosen;
    try
    {
        chosen = deviceName == "auto" ? Device.Best() : Device.Parse(deviceName);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"error: --device: {e.Message}");
        return 2;
    }

    if (!chosen.IsAvailable)
    {
        Console.Error.WriteLine($"error: --device {deviceName}: {chosen} is not available on this machine.");
        return 2;
    }

    int sessions = result.GetValue(maxSessions);
    if (sessions < 1)
    {
        Console.Error.WriteLine("error: --max-sessions must be at least 1.");
        return 2;
    }

    string listen = result.GetValue(urls) ?? $"http://127.0.0.1:{result.GetValue(port)}";
    await using var app = LabApp.Build(mnist, chosen, sessions, listen);
    await app.StartAsync(cancel);
    Console.WriteLine($"Backprop Lab on {LabApp.Address(app)} (training on {chosen}; Ctrl+C stops it)");
    await app.WaitForShutdownAsync(cancel);
    return 0;
});

return await root.Parse(args).InvokeAsync();
