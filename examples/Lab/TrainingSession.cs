using System.Diagnostics;
using TensorGrad.Data;
using TensorGrad.Nn;
using TensorGrad.Optim;

namespace TensorGrad.Lab;

/// <summary>
/// One browser tab's training: a background task that trains the lab's MLP on the MNIST sample
/// with the tab's settings, restarting from the same initial weights whenever they change, and
/// keeps what the page shows (<see cref="TakeUpdate"/>).
/// </summary>
public sealed class TrainingSession : IAsyncDisposable
{
    /// <summary>The seed of every run's initial weights and shuffle: moving a control compares settings, not seeds.</summary>
    public const int Seed = 1;

    /// <summary>Steps a warm-up → cosine schedule spans.</summary>
    public const int ScheduleSteps = 3000;

    private static readonly TimeSpan AccuracyInterval = TimeSpan.FromMilliseconds(500);

    private readonly MnistData data;
    private readonly Device device;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly List<(int Step, double Loss)> losses = [];
    private LabSettings settings = LabSettings.Default;
    private int settingsVersion = 1;
    private int run;
    private int step;
    private double accuracy = double.NaN;
    private int accuracyStep;
    private double[] norms = [];
    private TrainingStatus status = new();
    private double samplesPerSecond;
    private bool replayed;
    private string? error;
    private Task? task;

    public TrainingSession(string id, MnistData data, Device device)
    {
        Id = id;
        this.data = data;
        this.device = device;
    }

    /// <summary>The session's id in the page's URLs.</summary>
    public string Id { get; }

    /// <summary>When the page last read an update (the registry ends idle sessions).</summary>
    public DateTime LastSeen { get; private set; } = DateTime.UtcNow;

    /// <summary>Starts training on a background task.</summary>
    public void Start() => task = Task.Factory.StartNew(() => Train(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Takes new settings: training restarts from the same initial weights.</summary>
    public void Apply(LabSettings next)
    {
        lock (gate)
        {
            settings = next;
            settingsVersion++;
            error = null;
        }
    }

    /// <summary>Shows <paramref name="message"/> on the page (a bad message from it).</summary>
    public void Report(string message)
    {
        lock (gate)
        {
            error = message;
        }
    }

    /// <summary>The page's next update: the latest figures and the loss points since the last one.</summary>
    public LabUpdate TakeUpdate()
    {
        lock (gate)
        {
            LastSeen = DateTime.UtcNow;
            // Copies made here, ten times a second, so a training step allocates nothing for the page.
            var update = new LabUpdate(run, step, [.. losses.Select(p => new[] { p.Step, p.Loss })], status.SmoothedLoss, accuracy, accuracyStep, [.. norms], status.Text, status.Kind, samplesPerSecond, replayed, error);
            losses.Clear();
            return update;
        }
    }

    /// <summary>Stops training and releases the session's tensors.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (task is not null)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        stop.Dispose();
    }

    private void Train(CancellationToken cancel)
    {
        var (testX, testY) = data.Test.ToTensors(device);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                LabSettings current;
                int version;
                lock (gate)
                {
                    current = settings;
                    version = settingsVersion;
                }

                try
                {
                    using var runState = new Run(current, data, device);
                    lock (gate)
                    {
                        run++;
                        (step, accuracy, accuracyStep, norms, status) = (0, double.NaN, 0, [], new TrainingStatus());
                        losses.Clear();
                    }

                    TrainRun(runState, current, () => cancel.IsCancellationRequested || Volatile.Read(ref settingsVersion) != version, testX, testY);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Shown on the page; the session waits for new settings instead of dying silently.
                    Console.Error.WriteLine($"lab session {Id}: {e}");
                    lock (gate)
                    {
                        status.Failed(e.Message);
                    }
                }

                while (!cancel.IsCancellationRequested && Volatile.Read(ref settingsVersion) == version)
                {
                    Thread.Sleep(20); // a run stopped by a NaN or an error waits for new settings
                }
            }
        }
        finally
        {
            testX.Dispose();
            testY.Dispose();
        }
    }

    private void TrainRun(Run state, LabSettings current, Func<bool> restart, Tensor testX, Tensor testY)
    {
        var lastAccuracy = Stopwatch.StartNew();
        var second = Stopwatch.StartNew();
        int samplesThisSecond = 0;
        while (!restart())
        {
            foreach (var (x, y) in state.Loader)
            {
                if (restart())
                {
                    return;
                }

                double loss = state.Step(x, y);
                int done;
                lock (gate)
                {
                    done = ++step;
                    replayed = state.Replayed;
                }

                if (!double.IsFinite(loss))
                {
                    string op = state.FindNonFinite(x, y);
                    lock (gate)
                    {
                        status.NotANumber(done, op);
                        losses.Add((done, loss));
                    }

                    return;
                }

                state.MeasureGradientNorms();
                if (current.ClipNorm is { } clip)
                {
                    GradClip.ClipByGlobalNorm(state.Parameters, clip);
                }

                state.Update();
                samplesThisSecond += x.Shape[0];
                lock (gate)
                {
                    if (norms.Length != state.Norms.Length)
                    {
                        norms = new double[state.Norms.Length];
                    }

                    state.Norms.CopyTo(norms, 0);
                    status.Observe(done, loss, norms);
                    losses.Add((done, loss));
                    if (second.Elapsed >= TimeSpan.FromSeconds(1))
                    {
                        samplesPerSecond = samplesThisSecond / second.Elapsed.TotalSeconds;
                        samplesThisSecond = 0;
                        second.Restart();
                    }
                }

                if (lastAccuracy.Elapsed >= AccuracyInterval || done == 1)
                {
                    double measured = state.Accuracy(testX, testY);
                    lock (gate)
                    {
                        (accuracy, accuracyStep) = (measured, done);
                    }

                    lastAccuracy.Restart();
                }
            }
        }
    }

    /// <summary>One run's model, optimizer, schedule, data and (for full batches) captured step.</summary>
    private sealed class Run : IDisposable
    {
        private readonly Optimizer optimizer;
        private readonly LRScheduler? schedule;
        private readonly Tensor[][] weights;
        private KernelGraph? graph;
        private Tensor? graphX;
        private Tensor? graphY;

        public Run(LabSettings settings, MnistData data, Device device)
        {
            Model = Network.Build(settings, device, Seed);
            weights = [.. Network.Linears(Model).Select(l => new[] { l.Weight })];
            Norms = new double[weights.Length];
            Parameters = Model.Parameters();
            optimizer = settings.Optimizer == "adam"
                ? new Adam(Parameters, lr: settings.LearningRate)
                : new Sgd(Parameters, lr: settings.LearningRate, momentum: 0.9);
            schedule = settings.Schedule ? new WarmupCosine(optimizer, ScheduleSteps / 20, ScheduleSteps) : null;
            Loader = new DataLoader(data.Train, settings.BatchSize, shuffle: true, seed: Seed, dropLast: true, device: device);
        }

        public Sequential Model { get; }

        /// <summary>The model's parameters, collected once (clipping reads them every step).</summary>
        public IReadOnlyList<Tensor> Parameters { get; }

        /// <summary>Each Linear layer's weight-gradient norm at the last step, input side first.</summary>
        public double[] Norms { get; }

        public DataLoader Loader { get; }

        public bool Replayed => graph is not null;

        /// <summary>Forward, loss and backward: replayed from a graph captured on the first batch (every batch has its shape).</summary>
        public double Step(Tensor x, Tensor y)
        {
            optimizer.ZeroGrad();
            if (graph is null)
            {
                graphX = x.Clone();
                graphY = y.Clone();
                graph = KernelGraph.Capture(() =>
                {
                    var loss = Loss.CrossEntropy(Model.Forward(graphX), graphY);
                    loss.Backward();
                    return loss;
                });
            }
            else
            {
                graphX!.CopyFrom(x);
                graphY!.CopyFrom(y);
                graph.Replay();
            }

            return graph.Output.Item();
        }

        /// <summary>The op that made the first NaN or infinity on this batch (anomaly detection, eager).</summary>
        public string FindNonFinite(Tensor x, Tensor y)
        {
            try
            {
                using var anomalies = Tape.DetectAnomaly();
                using var tape = Tape.Begin();
                Loss.CrossEntropy(Model.Forward(x), y).Backward();
                return "none found: the parameters were already NaN";
            }
            catch (AnomalyException e)
            {
                return e.InBackward ? $"{e.Op} backward" : e.Op;
            }
        }

        /// <summary>Fills <see cref="Norms"/> from the gradients of the last step.</summary>
        public void MeasureGradientNorms()
        {
            for (int i = 0; i < weights.Length; i++)
            {
                Norms[i] = weights[i][0].Grad is null ? 0 : GradClip.GlobalNorm(weights[i]);
            }
        }

        public void Update()
        {
            optimizer.Step();
            schedule?.Step();
        }

        public double Accuracy(Tensor testX, Tensor testY)
        {
            using var tape = Tape.Begin(recordGradients: false);
            return Metrics.Accuracy.Of(Model.Forward(testX), testY);
        }

        public void Dispose()
        {
            graph?.Dispose();
            graphX?.Dispose();
            graphY?.Dispose();
            Loader.Dispose();
        }
    }
}
