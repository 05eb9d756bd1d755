using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TensorGrad;
using TensorGrad.Data;
using TensorGrad.Nn;
using TensorGrad.Onnx;

namespace MnistExample;

/// <summary>--export-onnx: writes the trained model as ONNX and measures ONNX Runtime's test accuracy on it.</summary>
internal static class OnnxCheck
{
    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/>; returns ONNX Runtime's test accuracy on <paramref name="test"/>.</summary>
    public static double ExportAndEvaluate(Module model, InMemoryDataset test, Device device, string path)
    {
        var (images, labels) = test.ToTensors(device);
        OnnxExport.Save(model, images, path);
        using var session = new InferenceSession(path);
        int count = test.Count, pixels = DataSet.Pixels;
        var input = new DenseTensor<float>(images.ToArray(), [count, pixels]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var logits = results.Single().AsTensor<float>().ToArray();
        var expected = labels.ToArray();
        int correct = 0;
        for (int i = 0; i < count; i++)
        {
            var row = logits.AsSpan(i * DataSet.Classes, DataSet.Classes);
            correct += TensorPrimitives.IndexOfMax(row) == (int)expected[i] ? 1 : 0;
        }

        return (double)correct / count;
    }
}
