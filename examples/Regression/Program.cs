// Regression on 100 random samples with 4 features, trained twice:
//   Part 1: the classic 4-8-1 sigmoid network written with raw tensors (W1, b1, W2, b2 with
//           weights randn * 0.01 and zero biases), MSE loss and plain full-batch gradient
//           descent, the update done by hand with AddInPlace.
//   Part 2: the same task written as a PyTorch user would: Sequential(Linear, ReLU, Linear),
//           Loss.Mse and the Adam optimizer.
// The target is a smooth function of x in (0, 1): y = sigmoid(x·[1.5, -2, 1, 0.5] + 0.3).
// Seeds are fixed, so the output is the same on every run. The exit code is 0 only if both
// parts cut their loss by at least 10x, so CI can run this as a check.
using TensorGrad;
using TensorGrad.Nn;
using TensorGrad.Optim;

var device = Device.Best();
var random = new Random(42);
var x = Tensor.Randn([100, 4], random, device: device);
var trueWeights = Tensor.FromArray([1.5f, -2f, 1f, 0.5f], new Shape(4, 1), device);
var y = (x.MatMul(trueWeights) + 0.3).Sigmoid();

// Part 1: raw tensors and hand-written gradient descent.
var w1 = Tensor.Randn([4, 8], random, device: device);
var b1 = Tensor.Zeros([8], device);
var w2 = Tensor.Randn([8, 1], random, device: device);
var b2 = Tensor.Zeros([1], device);
w1.MulInPlace(0.01);
w2.MulInPlace(0.01);
Tensor[] parameters = [w1, b1, w2, b2];
foreach (var p in parameters)
{
    p.RequiresGrad = true;
}

const double learningRate = 1.0;
Console.WriteLine($"Part 1 on {device}: 4-8-1 sigmoid network, raw tensors, MSE, gradient descent (lr {learningRate})");
bool part1 = Train(1000, () =>
{
    var hidden = (x.MatMul(w1) + b1).Sigmoid();
    var loss = Loss.Mse((hidden.MatMul(w2) + b2).Sigmoid(), y);
    loss.Backward();
    foreach (var p in parameters)
    {
        p.AddInPlace(p.Grad!, -learningRate);
        p.Grad = null;
    }

    return loss.Item();
});

// Part 2: the same task with the Nn and Optim APIs.
Init.ManualSeed(0);
var model = new Sequential(new Linear(4, 8, device), new ReLU(), new Linear(8, 1, device));
var optimizer = new Adam(model.Parameters(), lr: 1e-3);
Console.WriteLine($"\nPart 2 on {device}: Sequential(Linear(4, 8), ReLU, Linear(8, 1)), MSE, Adam (lr 1e-3)");
bool part2 = Train(1000, () =>
{
    var loss = Loss.Mse(model.Forward(x), y);
    optimizer.ZeroGrad();
    loss.Backward();
    optimizer.Step();
    return loss.Item();
});

return part1 && part2 ? 0 : 1;

// Runs `step` (one forward, backward and update; returns the loss) for `epochs` epochs, each
// on its own tape, prints the loss every 100 epochs, and reports whether it fell by 10x.
static bool Train(int epochs, Func<double> step)
{
    double first = 0, last = 0;
    for (int epoch = 1; epoch <= epochs; epoch++)
    {
        using var tape = Tape.Begin();
        last = step();
        if (epoch == 1)
        {
            first = last;
        }

        if (epoch == 1 || epoch % 100 == 0)
        {
            Console.WriteLine($"epoch {epoch,5}  loss {last:F6}");
        }
    }

    bool ok = first / last >= 10;
    Console.WriteLine($"initial loss {first:F6}, final loss {last:F6}, {first / last:F1}x lower: {(ok ? "ok" : "FAILED (less than 10x)")}");
    return ok;
}
