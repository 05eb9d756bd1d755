namespace TensorGrad;

/// <summary>Element type of a tensor. Float32 is the training type; Float64 exists for gradient checking.</summary>
public enum DType
{
    /// <summary>32-bit IEEE 754 float (the default).</summary>
    Float32,

    /// <summary>64-bit IEEE 754 float; supported on the CPU backend.</summary>
    Float64,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype == DType.Float64 ? 8 : 4;
}
