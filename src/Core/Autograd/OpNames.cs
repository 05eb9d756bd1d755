using TensorGrad.Backends;

namespace TensorGrad.Autograd;

/// <summary>
/// Names of the kernel ops, looked up in tables built once: an enum's ToString boxes and may
/// allocate, and every op result carries its op's name.
/// </summary>
internal static class OpNames
{
    private static readonly string[] Unary = Enum.GetNames<UnaryOp>();
    private static readonly string[] ScalarOps = Enum.GetNames<ScalarOp>();
    private static readonly string[] Binary = Enum.GetNames<BinaryOp>();

    public static string Of(UnaryOp op) => Unary[(int)op];

    public static string Of(ScalarOp op) => ScalarOps[(int)op];

    public static string Of(BinaryOp op) => Binary[(int)op];
}
