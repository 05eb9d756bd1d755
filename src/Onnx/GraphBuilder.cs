using Google.Protobuf.Collections;
using Onnx;

namespace TensorGrad.Onnx;

/// <summary>Builds an ONNX graph: nodes with unique output names, and initializers named as the model's state dictionary.</summary>
internal sealed class GraphBuilder(DType dtype)
{
    private int next;

    public GraphProto Graph { get; } = new() { Name = "tensorgrad" };

    /// <summary>The ONNX element type of the model's tensors.</summary>
    public int ElementType { get; } = (int)(dtype == DType.Float64 ? TensorProto.Types.DataType.Double : TensorProto.Types.DataType.Float);

    /// <summary>Adds a node of <paramref name="opType"/> and returns its (single) output's name.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string output = $"{name}:{opType}:{next++}";
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds <paramref name="tensor"/>'s values as an initializer called <paramref name="name"/>, reshaped to <paramref name="shape"/> when given.</summary>
    public string Initializer(string name, Tensor tensor, IReadOnlyList<long>? shape = null)
    {
        var proto = new TensorProto { Name = name, DataType = ElementType };
        proto.Dims.AddRange(shape ?? [.. tensor.Shape.Dimensions.ToArray().Select(d => (long)d)]);
        if (ElementType == (int)TensorProto.Types.DataType.Double)
        {
            proto.DoubleData.AddRange(tensor.ToDoubleArray());
        }
        else
        {
            proto.FloatData.AddRange(tensor.ToArray());
        }

        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A constant of <paramref name="values"/> with shape <paramref name="shape"/>, named after <paramref name="name"/>.</summary>
    public string Constant(string name, IReadOnlyList<long> shape, IEnumerable<double> values)
    {
        var proto = new TensorProto { Name = $"{name}:constant:{next++}", DataType = ElementType };
        proto.Dims.AddRange(shape);
        if (ElementType == (int)TensorProto.Types.DataType.Double)
        {
            proto.DoubleData.AddRange(values);
        }
        else
        {
            proto.FloatData.AddRange(values.Select(v => (float)v));
        }

        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>An int64 vector constant (a shape for Reshape), named after <paramref name="name"/>.</summary>
    public string Int64Constant(string name, IReadOnlyList<long> values)
    {
        var proto = new TensorProto { Name = $"{name}:constant:{next++}", DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Count);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A scalar constant.</summary>
    public string Scalar(string name, double value) => Constant(name, [], [value]);

    /// <summary>A value description of a tensor whose first dimension is the dynamic "batch".</summary>
    public ValueInfoProto Value(string name, Shape shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = ElementType, Shape = new TensorShapeProto() };
        RepeatedField<TensorShapeProto.Types.Dimension> dims = tensor.Shape.Dim;
        for (int d = 0; d < shape.Rank; d++)
        {
            dims.Add(d == 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = shape[d] });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
