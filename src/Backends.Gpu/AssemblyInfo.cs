using System.Runtime.CompilerServices;

// ILGPU generates its kernel launchers in a dynamic assembly of this name; the kernels' argument
// types (layouts, coefficients) are internal.
[assembly: InternalsVisibleTo("ILGPURuntime")]
