using System.Reflection;
using TensorGrad.Backends.Operators;

namespace TensorGrad.Backends.Gpu.Kernels;

/// <summary>
/// Every kernel the GPU backend can launch, closed over each element type and each operator its
/// constraints admit. The compile-only tests build all of them for CUDA and OpenCL, so a kernel
/// that only a real device would reject fails on any machine.
/// </summary>
internal static class KernelCatalog
{
    private static readonly Type[] KernelClasses =
        [typeof(ElementwiseKernels), typeof(ReduceKernels), typeof(SoftmaxKernels), typeof(LayoutKernels), typeof(ConvolutionKernels), typeof(PoolKernels), typeof(NormalizationKernels), typeof(BatchNormKernels), typeof(GemmKernel), typeof(OptimizerKernels)];

    private static readonly Type[] ElementTypes = [typeof(float), typeof(double)];

    /// <summary>The kernels as closed methods, named by <see cref="Name"/>.</summary>
    public static IEnumerable<MethodInfo> All() =>
        KernelClasses
            .SelectMany(c => c.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(void))
            .SelectMany(Instantiations);

    /// <summary>A kernel's readable name, e.g. <c>ElementwiseKernels.Unary&lt;Single, ExpOperator&lt;Single&gt;&gt;</c>.</summary>
    public static string Name(MethodInfo kernel) =>
        $"{kernel.DeclaringType!.Name}.{kernel.Name}" + (kernel.IsGenericMethod ? $"<{string.Join(", ", kernel.GetGenericArguments().Select(TypeName))}>" : "");

    private static IEnumerable<MethodInfo> Instantiations(MethodInfo method)
    {
        if (!method.IsGenericMethodDefinition)
        {
            return [method];
        }

        var parameters = method.GetGenericArguments();
        return ElementTypes.SelectMany(element =>
            Operators(parameters.Skip(1), element)
                .Select(operators => method.MakeGenericMethod([element, .. operators])));
    }

    /// <summary>Every choice of operator type for the generic parameters after the element type (none for plain kernels).</summary>
    private static IEnumerable<Type[]> Operators(IEnumerable<Type> parameters, Type element)
    {
        var operators = OperatorTypes(element);
        IEnumerable<Type[]> choices = [[]];
        foreach (var parameter in parameters)
        {
            var candidates = operators.Where(t => parameter.GetGenericParameterConstraints().All(c => c.IsGenericType
                    ? t.GetInterfaces().Contains(c.GetGenericTypeDefinition().MakeGenericType(element))
                    : c.IsAssignableFrom(t)))
                .ToArray();
            choices = choices.SelectMany(prefix => candidates.Select(c => (Type[])[.. prefix, c]));
        }

        return choices;
    }

    /// <summary>
    /// The operator types over <paramref name="element"/>: Core's elementwise operators, the gradient
    /// of each unary one, and this backend's reductions.
    /// </summary>
    private static Type[] OperatorTypes(Type element)
    {
        var single = new[] { typeof(IUnaryOperator<>).Assembly, typeof(KernelCatalog).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsValueType && t.IsGenericTypeDefinition && t.GetGenericArguments().Length == 1)
            .Select(t => t.MakeGenericType(element))
            .ToArray();
        var unary = typeof(IUnaryOperator<>).MakeGenericType(element);
        var gradients = single.Where(unary.IsAssignableFrom).Select(t => typeof(UnaryGradient<,>).MakeGenericType(element, t));
        return [.. single, .. gradients];
    }

    private static string TypeName(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>" : type.Name;
}
