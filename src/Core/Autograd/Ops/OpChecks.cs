namespace TensorGrad.Autograd.Ops;

/// <summary>Argument checks shared by ops; messages name the op, shapes, dtypes and devices.</summary>
internal static class OpChecks
{
    /// <summary>Both tensors must be on one device with one dtype.</summary>
    public static void SameDeviceAndType(string op, Tensor a, Tensor b)
    {
        if (!a.Device.Equals(b.Device))
        {
            throw new ArgumentException($"{op}: tensors are on different devices ({a.Shape} on {a.Device}, {b.Shape} on {b.Device}); move one with To(device).");
        }

        if (a.DType != b.DType)
        {
            throw new ArgumentException($"{op}: tensors have different dtypes ({a.Shape} {a.DType}, {b.Shape} {b.DType}) on {a.Device}; convert one with To(dtype).");
        }
    }

    /// <summary>A layer's weight and bias, where given, must be on the input's device with its dtype.</summary>
    public static void Parameters(string op, Tensor x, Tensor? weight, Tensor? bias)
    {
        if (weight is not null)
        {
            SameDeviceAndType(op, x, weight);
        }

        if (bias is not null)
        {
            SameDeviceAndType(op, x, bias);
        }
    }

    /// <summary>The tensor must have exactly <paramref name="rank"/> dimensions.</summary>
    public static void Rank(string op, Tensor t, int rank, string role)
    {
        if (t.Rank != rank)
        {
            throw new ArgumentException($"{op}: {role} must be {rank}-D, got shape {t.Shape} on {t.Device}.");
        }
    }

    /// <summary>A parameter that must be a positive finite number; returns it.</summary>
    public static double Positive(string op, string name, double value) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{op}: {name} must be a positive finite number, got {value}.");
}
