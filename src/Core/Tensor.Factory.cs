using TensorGrad.Backends;

namespace TensorGrad;

public sealed partial class Tensor
{
    /// <summary>A float32 CPU tensor holding a copy of <paramref name="data"/>; an empty shape means 1-D of data.Length.</summary>
    public static Tensor FromArray(float[] data, params int[] shape) =>
        FromArray(data, ShapeFor(data, shape), Device.Cpu);

    /// <summary>A float64 CPU tensor holding a copy of <paramref name="data"/>; an empty shape means 1-D of data.Length.</summary>
    public static Tensor FromArray(double[] data, params int[] shape) =>
        FromArray(data, ShapeFor(data, shape), Device.Cpu, DType.Float64);

    /// <summary>A tensor of <paramref name="shape"/> on <paramref name="device"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[] data, Shape shape, Device device, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckLength("FromArray", data.Length, shape, device);
        var t = Empty(shape, device, dtype, "FromArray");
        t.Backend.Upload(data, t.Buffer);
        return t;
    }

    /// <inheritdoc cref="FromArray(float[], Shape, Device, DType)"/>
    public static Tensor FromArray(double[] data, Shape shape, Device device, DType dtype = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckLength("FromArray", data.Length, shape, device);
        var t = Empty(shape, device, dtype, "FromArray");
        t.Backend.Upload(data, t.Buffer);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, Device? device = null, DType dtype = DType.Float32) =>
        Full(Shape.Scalar, value, device, dtype);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, Device? device = null, DType dtype = DType.Float32) => Full(shape, 0, device, dtype);

    /// <summary>A float32 CPU tensor of zeros with the given dimensions, as <c>Tensor.Zeros(2, 3)</c>.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> dimensions) => Zeros(Shape.Create(dimensions));

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape, Device? device = null, DType dtype = DType.Float32) => Full(shape, 1, device, dtype);

    /// <summary>A float32 CPU tensor of ones with the given dimensions, as <c>Tensor.Ones(2, 3)</c>.</summary>
    public static Tensor Ones(params ReadOnlySpan<int> dimensions) => Ones(Shape.Create(dimensions));

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, double value, Device? device = null, DType dtype = DType.Float32)
    {
        var t = Empty(shape, device ?? Device.Cpu, dtype, "Full");
        t.Backend.Fill(t.Buffer, value);
        return t;
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) drawn from <paramref name="random"/>.</summary>
    public static Tensor Rand(Shape shape, Random random, double low = 0, double high = 1, Device? device = null, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new double[shape.Size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = low + ((high - low) * random.NextDouble());
        }

        return FromArray(values, shape, device ?? Device.Cpu, dtype);
    }

    /// <summary>Uniform samples in [0, 1) from a generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor Rand(Shape shape, int seed, Device? device = null, DType dtype = DType.Float32) =>
        Rand(shape, new Random(seed), device: device, dtype: dtype);

    /// <summary>
    /// A float32 CPU tensor of uniform samples in [0, 1) with the given dimensions, as
    /// <c>Tensor.Rand(2, 3)</c>, drawn from the default generator that <see cref="Nn.Init.ManualSeed"/> reseeds.
    /// </summary>
    public static Tensor Rand(params ReadOnlySpan<int> dimensions) => FromDefaultGenerator(Shape.Create(dimensions), static (shape, random) => Rand(shape, random));

    /// <summary>Normal samples with the given mean and standard deviation, drawn from <paramref name="random"/> (Box-Muller).</summary>
    public static Tensor Randn(Shape shape, Random random, double mean = 0, double std = 1, Device? device = null, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new double[shape.Size];
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = mean + (std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
            {
                values[i + 1] = mean + (std * r * Math.Sin(2 * Math.PI * u2));
            }
        }

        return FromArray(values, shape, device ?? Device.Cpu, dtype);
    }

    /// <summary>Standard normal samples from a generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor Randn(Shape shape, int seed, Device? device = null, DType dtype = DType.Float32) =>
        Randn(shape, new Random(seed), device: device, dtype: dtype);

    /// <summary>
    /// A float32 CPU tensor of standard normal samples with the given dimensions, as
    /// <c>Tensor.Randn(2, 3)</c>, drawn from the default generator that <see cref="Nn.Init.ManualSeed"/> reseeds.
    /// </summary>
    public static Tensor Randn(params ReadOnlySpan<int> dimensions) => FromDefaultGenerator(Shape.Create(dimensions), static (shape, random) => Randn(shape, random));

    /// <summary>The elements in row-major order as float32 (converted from float64 if needed). Waits for pending device work.</summary>
    public float[] ToArray()
    {
        var result = new float[Size];
        Backend.Download(Buffer, result);
        return result;
    }

    /// <summary>The elements in row-major order as float64.</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Size];
        Backend.Download(Buffer, result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1)
        {
            throw new InvalidOperationException($"Item(): the tensor has shape {Shape} ({Size} elements); only one-element tensors have an item.");
        }

        Span<float> value = stackalloc float[1];
        Backend.Download(Buffer, value);
        return value[0];
    }

    /// <summary>
    /// This tensor on <paramref name="device"/> (and <paramref name="dtype"/>, if given): the same
    /// tensor when nothing changes, otherwise a new leaf copy owned by the caller.
    /// </summary>
    public Tensor To(Device device, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        var target = dtype ?? DType;
        if (device.Equals(Device) && target == DType)
        {
            return this;
        }

        var copy = Empty(Shape, device, target, "To");
        if (device.Equals(Device))
        {
            Backend.Copy(Buffer, copy.Buffer);
        }
        else if (DType == DType.Float64 || target == DType.Float64)
        {
            copy.Backend.Upload(ToDoubleArray(), copy.Buffer);
        }
        else
        {
            copy.Backend.Upload(ToArray(), copy.Buffer);
        }

        return copy;
    }

    /// <summary>This tensor converted to <paramref name="dtype"/> on the same device.</summary>
    public Tensor To(DType dtype) => To(Device, dtype);

    /// <summary>A copy with its own storage, owned by the caller, without gradient history.</summary>
    public Tensor Clone()
    {
        var copy = Empty(Shape, Device, DType, "Clone");
        Backend.Copy(Buffer, copy.Buffer);
        return copy;
    }

    /// <summary>A leaf view sharing this tensor's storage, with no gradient history; valid while this tensor is.</summary>
    public Tensor Detach() => new(Backend, Buffer, Shape, "Detach", viewOf: this);

    /// <summary>A caller-owned tensor with uninitialized storage.</summary>
    internal static Tensor Empty(Shape shape, Device device, DType dtype, string origin)
    {
        var backend = device.Backend;
        if (!backend.Supports(dtype))
        {
            throw new NotSupportedException($"{origin}: dtype {dtype} is not supported on device {device}.");
        }

        return new Tensor(backend, Allocate(backend, shape, dtype, origin), shape, origin);
    }

    /// <summary>A new op result on <paramref name="backend"/>, owned by the active tape if any.</summary>
    internal static Tensor Result(IBackend backend, Shape shape, DType dtype, string op)
    {
        var t = new Tensor(backend, Allocate(backend, shape, dtype, op), shape, op);
        Tape.Current?.Own(t);
        return t;
    }

    /// <summary>A view of <paramref name="source"/>'s storage with another shape, owned like an op result.</summary>
    internal static Tensor View(Tensor source, Shape shape, string op)
    {
        var t = new Tensor(source.Backend, source.Buffer, shape, op, viewOf: source);
        Tape.Current?.Own(t);
        return t;
    }

    /// <summary>A tensor of <paramref name="shape"/> drawn from the default generator of <see cref="Nn.Init"/>, one caller at a time.</summary>
    private static Tensor FromDefaultGenerator(Shape shape, Func<Shape, Random, Tensor> draw) =>
        Nn.Init.FromDefaultGenerator(random => draw(shape, random));

    /// <summary>Storage for a tensor of <paramref name="shape"/>; a backend's size limit is reported with the op and the shape.</summary>
    private static DeviceBuffer Allocate(IBackend backend, Shape shape, DType dtype, string op)
    {
        try
        {
            return backend.Allocate(shape.Size, dtype);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException($"{op}: a {dtype} tensor of shape {shape} ({shape.Size} elements) does not fit on {backend.Device}: {e.Message}", e);
        }
    }

    private static Shape ShapeFor(Array data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return shape is null || shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
    }

    private static void CheckLength(string op, int length, Shape shape, Device device)
    {
        if (length != shape.Size)
        {
            throw new ArgumentException($"{op}: {length} values do not fill shape {shape} ({shape.Size} elements) on {device}.");
        }
    }
}
