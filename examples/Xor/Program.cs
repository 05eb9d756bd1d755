// XOR with the Nn and Optim APIs, as in PyTorch: a 2-8-1 network
// Sequential(Linear, Tanh, Linear, Sigmoid), binary cross-entropy, and SGD with momentum.
// Seeds are fixed, so every run prints the same losses and truth table; the exit code is 0
// only if all four cases are predicted correctly.
using TensorGrad;
using TensorGrad.Nn;
using TensorGrad.Optim;

var device = Device.Best();
var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], new Shape(4, 2), device);
var y = Tensor.FromArray([0f, 1, 1, 0], new Shape(4, 1), device);

Init.ManualSeed(1);
var model = new Sequential(new Linear(2, 8, device), new Tanh(), new Linear(8, 1, device), new Sigmoid());
var optimizer = new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9);
Console.WriteLine($"XOR on {device}: 2-8-1 tanh/sigmoid network, binary cross-entropy, SGD (lr 0.1, momentum 0.9)");
for (int epoch = 1; epoch <= 500; epoch++)
{
    using var tape = Tape.Begin();
    var loss = Loss.BinaryCrossEntropy(model.Forward(x), y);
    optimizer.ZeroGrad();
    loss.Backward();
    optimizer.Step();
    if (epoch == 1 || epoch % 100 == 0)
    {
        Console.WriteLine($"epoch {epoch,4}  loss {loss.Item():F6}");
    }
}

using (Tape.Begin(recordGradients: false))
{
    var output = model.Forward(x).ToArray();
    var inputs = x.ToArray();
    var targets = y.ToArray();
    int correct = 0;
    for (int i = 0; i < 4; i++)
    {
        int predicted = output[i] > 0.5f ? 1 : 0;
        correct += predicted == (int)targets[i] ? 1 : 0;
        Console.WriteLine($"  {inputs[2 * i]} xor {inputs[(2 * i) + 1]} -> {output[i]:F4} (predicted {predicted}, target {targets[i]})");
    }

    Console.WriteLine($"accuracy: {correct}/4");
    return correct == 4 ? 0 : 1;
}
