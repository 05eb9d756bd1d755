using TensorGrad.Data;

namespace TensorGrad.Examples.Common;

/// <summary>Loading MNIST for the examples, with the same message when it cannot be read.</summary>
public static class MnistSample
{
    /// <summary>The normalized MNIST in <paramref name="directory"/>, or null after printing why it cannot be loaded.</summary>
    public static MnistData? LoadOrReport(string directory)
    {
        try
        {
            return Mnist.Load(directory, normalize: true);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot load MNIST from '{directory}': {e.Message}");
            return null;
        }
    }
}
