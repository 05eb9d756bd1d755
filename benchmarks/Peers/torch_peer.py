"""PyTorch side of TensorGrad's peer benchmark (benchmarks/Peers).

The C# runner starts this script once and keeps it: it answers one request per line on stdin,
so interpreter start-up is never timed and the runner can interleave PyTorch with the other
libraries. Protocol (one line each way):

    (start-up)                                      -> "ready <torch version> <threads>", or "error <reason>" and exit
    measure <workload> <warmup> <sample> <samples>  -> "ok <median seconds per call>" or "error <reason>"
    quit                                            -> exit

Workload ids are those of Workload.cs: mlp-sgd-32, mlp-adam-512, mlpib-sgd-1 (the same step:
PyTorch has no optimizer stepping in the backward pass here), tiny-sgd, sgemm-1024, add-1,
mlpnorm-adam-128, layernorm-512x1024, lenet-adam-64, conv3x3-64-28-32.
Timing is the same as TimingSettings.cs: warm up for at least <warmup> seconds (two calls at
least), choose calls per sample so a sample lasts about <sample> seconds, time <samples> samples
and report the median time per call.
"""

import argparse
import statistics
import sys
import time


def median_seconds_per_call(call, warmup, sample, samples):
    start = time.perf_counter()
    calls = 0
    while True:
        call()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= warmup and calls >= 2:
            break
    per_sample = max(1, int(sample / (elapsed / calls)))
    per_call = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(per_sample):
            call()
        per_call.append((time.perf_counter() - t0) / per_sample)
    return statistics.median(per_call)


def make_step(torch, workload):
    """The workload's call: forward and loss, zero the gradients, backward, update (for steps)."""
    nn = torch.nn
    functional = torch.nn.functional
    torch.manual_seed(1)
    parts = workload.split("-")
    if parts[0] in ("mlp", "mlpib"):
        optimizer_name, batch = parts[1], int(parts[2])
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        if optimizer_name == "sgd":
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.rand(batch, 784)
        y = torch.arange(batch) % 10
        return lambda: train_step(optimizer, lambda: functional.cross_entropy(model(x), y))
    if parts[0] == "mlpnorm":
        batch = int(parts[2])
        model = nn.Sequential(
            nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(128, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.rand(batch, 784)
        y = torch.arange(batch) % 10
        return lambda: train_step(optimizer, lambda: functional.cross_entropy(model(x), y))
    if workload == "layernorm-512x1024":
        layer = nn.LayerNorm(1024)
        x = torch.rand(512, 1024, requires_grad=True)
        weights = torch.rand(512, 1024)
        optimizer = torch.optim.SGD(list(layer.parameters()) + [x], lr=1e-9)
        return lambda: train_step(optimizer, lambda: (layer(x) * weights).sum())
    if parts[0] == "lenet":
        batch = int(parts[2])
        model = nn.Sequential(
            nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1024, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.rand(batch, 1, 28, 28)
        y = torch.arange(batch) % 10
        return lambda: train_step(optimizer, lambda: functional.cross_entropy(model(x), y))
    if parts[0] == "conv3x3":
        batch = int(parts[3])
        layer = nn.Conv2d(64, 64, 3, padding=1)
        x = torch.rand(batch, 64, 28, 28, requires_grad=True)
        weights = torch.rand(batch, 64, 28, 28)
        optimizer = torch.optim.SGD(list(layer.parameters()) + [x], lr=1e-9)
        return lambda: train_step(optimizer, lambda: (layer(x) * weights).sum())
    if parts[0] == "tiny":
        model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 1), nn.Sigmoid())
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        x = torch.randn(4, 4)
        y = torch.rand(4, 1)
        return lambda: train_step(optimizer, lambda: functional.mse_loss(model(x), y))
    if parts[0] == "sgemm":
        n = int(parts[1])
        a = torch.rand(n, n)
        b = torch.rand(n, n)
        return lambda: torch.mm(a, b)
    if workload == "add-1":
        a = torch.ones(1)
        b = torch.ones(1)
        return lambda: a + b
    raise ValueError(f"unknown workload {workload!r}")


def train_step(optimizer, loss):
    value = loss()
    optimizer.zero_grad(set_to_none=True)
    value.backward()
    optimizer.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args()
    try:
        import torch
    except ImportError as e:
        print(f"error python3-torch is not installed ({e}); apt-get install python3-torch libopenblas0-pthread", flush=True)
        return 1
    torch.set_num_threads(args.threads)
    print(f"ready {torch.__version__} {torch.get_num_threads()}", flush=True)
    steps = {}
    for line in iter(sys.stdin.readline, ""):
        words = line.split()
        if not words or words[0] == "quit":
            break
        try:
            if words[0] != "measure" or len(words) != 5:
                raise ValueError(f"unknown request {line.strip()!r}")
            step = steps.get(words[1])
            if step is None:
                step = steps[words[1]] = make_step(torch, words[1])
            seconds = median_seconds_per_call(step, float(words[2]), float(words[3]), int(words[4]))
            print(f"ok {seconds!r}", flush=True)
        except Exception as e:  # reported to the runner, which shows it in the table
            print(f"error {type(e).__name__}: {e}".replace("\n", " "), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
