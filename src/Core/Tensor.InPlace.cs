using TensorGrad.Backends;

namespace TensorGrad;

/// <summary>In-place updates of leaf tensors (parameter updates, loading values); never recorded.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// <c>this += alpha · other</c> in place (e.g. <c>p.AddInPlace(p.Grad, -lr)</c> for a plain
    /// gradient-descent step). <paramref name="other"/> must have this tensor's shape, dtype and device.
    /// </summary>
    public void AddInPlace(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckInPlace("AddInPlace", other);
        if (alpha == 1)
        {
            Backend.Binary(BinaryOp.Add, Buffer, Shape, other.Buffer, other.Shape, Buffer, Shape);
            return;
        }

        var scaled = Backend.Allocate(Size, DType);
        try
        {
            Backend.Scalar(ScalarOp.Mul, other.Buffer, alpha, scaled);
            Backend.Binary(BinaryOp.Add, Buffer, Shape, scaled, Shape, Buffer, Shape);
        }
        finally
        {
            Backend.Release(scaled);
        }
    }

    /// <summary>
    /// Overwrites this tensor's values with <paramref name="source"/>'s: same shape; dtype and
    /// device are converted (a copy from another device goes through host memory).
    /// </summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckInPlace("CopyFrom", source, sameDType: false, sameDevice: false);
        if (source.Device.Equals(Device))
        {
            Backend.Copy(source.Buffer, Buffer);
            return;
        }

        using var moved = source.To(Device);
        Backend.Copy(moved.Buffer, Buffer);
    }

    /// <summary><c>this += value</c> in place, on the device (e.g. a step counter).</summary>
    public void AddInPlace(double value)
    {
        CheckInPlace("AddInPlace", this);
        Backend.Scalar(ScalarOp.Add, Buffer, value, Buffer);
    }

    /// <summary><c>this *= factor</c> in place (e.g. to rescale an initialization).</summary>
    public void MulInPlace(double factor)
    {
        CheckInPlace("MulInPlace", this);
        Backend.Scalar(ScalarOp.Mul, Buffer, factor, Buffer);
    }

    /// <summary>Sets every element to <paramref name="value"/> in place.</summary>
    public void Fill(double value)
    {
        CheckInPlace("Fill", this);
        Backend.Fill(Buffer, value);
    }

    private void CheckInPlace(string op, Tensor other, bool sameDType = true, bool sameDevice = true)
    {
        if (!IsLeaf)
        {
            throw new InvalidOperationException($"{op}: the {Shape} tensor from {Origin} was recorded on a tape; in-place updates are for leaf tensors (parameters, buffers).");
        }

        if (other.Shape != Shape || (sameDevice && !other.Device.Equals(Device)) || (sameDType && other.DType != DType))
        {
            throw new ArgumentException($"{op}: the source is {other.Shape} {other.DType} on {other.Device} but the target is {Shape} {DType} on {Device}.");
        }
    }
}
