// XOR with a 2-8-1 network written with raw tensor ops: forward, loss, backward and a
// plain gradient-descent update, the whole training loop in a dozen lines.
using TensorGrad;
using TensorGrad.Nn;

var device = Device.Best();
var random = new Random(1);
var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], new Shape(4, 2), device);
var y = Tensor.FromArray([0f, 1, 1, 0], new Shape(4, 1), device);

var w1 = Tensor.Rand([2, 8], random, -1, 1, device);
var b1 = Tensor.Zeros([8], device);
var w2 = Tensor.Rand([8, 1], random, -1, 1, device);
var b2 = Tensor.Zeros([1], device);
Tensor[] parameters = [w1, b1, w2, b2];
foreach (var p in parameters)
{
    p.RequiresGrad = true;
}

Tensor Forward() => ((x.MatMul(w1) + b1).Tanh().MatMul(w2) + b2).Sigmoid();

const double learningRate = 0.5;
Console.WriteLine($"XOR on {device}: 2-8-1 tanh/sigmoid network, binary cross-entropy, gradient descent (lr {learningRate})");
for (int epoch = 0; epoch <= 2000; epoch++)
{
    using var tape = Tape.Begin();
    var loss = Loss.BinaryCrossEntropy(Forward(), y);
    loss.Backward();
    foreach (var p in parameters)
    {
        p.AddInPlace(p.Grad!, -learningRate);
        p.Grad = null;
    }

    if (epoch % 250 == 0)
    {
        Console.WriteLine($"epoch {epoch,5}  loss {loss.Item():F6}");
    }
}

using (Tape.NoGrad())
{
    var output = Forward().ToArray();
    var targets = y.ToArray();
    int correct = 0;
    for (int i = 0; i < 4; i++)
    {
        int predicted = output[i] > 0.5f ? 1 : 0;
        correct += predicted == (int)targets[i] ? 1 : 0;
        Console.WriteLine($"  {x.ToArray()[2 * i]} xor {x.ToArray()[(2 * i) + 1]} -> {output[i]:F4} (predicted {predicted}, target {targets[i]})");
    }

    Console.WriteLine($"accuracy: {correct}/4");
    return correct == 4 ? 0 : 1;
}
