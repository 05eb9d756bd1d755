using System.Diagnostics;
using System.Globalization;

namespace TensorGrad.Autograd;

/// <summary>The checks of <see cref="Tape.DetectAnomaly"/>: finite outputs and gradients, and where ops were recorded.</summary>
internal static class Anomaly
{
    [ThreadStatic]
    private static int depth;

    [ThreadStatic]
    private static Node? backwardNode;

    public static bool Enabled => depth > 0;

    public static void Enter() => depth++;

    public static void Exit() => depth--;

    /// <summary>Marks the node whose backward is running, so a bad gradient can be blamed on it.</summary>
    public static void InBackwardOf(Node? node) => backwardNode = node;

    /// <summary>Captures the user's call site and checks the op's output.</summary>
    public static void OnRecord(Node node, Tensor output)
    {
        node.RecordedAt = CallSite();
        if (FirstBad(output) is { } bad)
        {
            throw new AnomalyException(node.Name, backward: false, $"Anomaly: {node.Name} produced {bad} in its {output.Shape} output from inputs {Describe(node)}; recorded {node.RecordedAt}.");
        }
    }

    /// <summary>Checks a gradient contribution for <paramref name="target"/> made by the running backward.</summary>
    public static void OnGradient(Tensor target, Tensor grad)
    {
        if (FirstBad(grad) is not { } bad)
        {
            return;
        }

        if (backwardNode is not { } node)
        {
            throw new AnomalyException("Backward", backward: true, $"Anomaly: the gradient passed to Backward() has {bad}.");
        }

        int input = node.Inputs.ToList().IndexOf(target);
        throw new AnomalyException(node.Name, backward: true, $"Anomaly: the backward of {node.Name} (inputs {Describe(node)}) produced {bad} in the gradient of input {input} {target.Shape}; the op was recorded {node.RecordedAt ?? "outside anomaly detection"}.");
    }

    private static string? FirstBad(Tensor t)
    {
        var values = t.ToArray();
        int i = Array.FindIndex(values, v => !float.IsFinite(v));
        return i < 0 ? null : $"{values[i].ToString(CultureInfo.InvariantCulture)} at element {i}";
    }

    private static string Describe(Node node) => string.Join(", ", node.Inputs.Select(t => $"{t.Shape} from {t.Origin}"));

    /// <summary>The first stack frame outside TensorGrad: the user code that called the op.</summary>
    private static string CallSite()
    {
        var library = typeof(Anomaly).Assembly;
        foreach (var frame in new StackTrace(2, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            if (method?.DeclaringType?.Assembly == library)
            {
                continue;
            }

            var where = frame.GetFileName() is { } file ? $" ({Path.GetFileName(file)}:{frame.GetFileLineNumber()})" : "";
            return $"at {method?.DeclaringType?.Name}.{method?.Name}{where}";
        }

        return "at an unknown location";
    }
}
