using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spectre.Console;
using TensorGrad;
using TensorGrad.Backends.Gpu;

// The device doctor: every accelerator ILGPU sees, whether TensorGrad can use it and why not,
// the CPU's SIMD paths, and the device Device.Best() picks.
var cpu = new Table().Title("CPU backend").AddColumns("Property", "Value");
cpu.AddRow("Logical cores", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
cpu.AddRow("SIMD path", Vector512.IsHardwareAccelerated ? "Vector512 (AVX-512)" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar/Vector128");
cpu.AddRow("AVX2 / FMA / AVX-512F", $"{YesNo(Avx2.IsSupported)} / {YesNo(Fma.IsSupported)} / {YesNo(Avx512F.IsSupported)}");
cpu.AddRow("Vector<float> lanes", Vector<float>.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
AnsiConsole.Write(cpu);

foreach (var report in DeviceReport.All())
{
    var table = new Table().Title(Markup.Escape($"{report.Device}: {report.Name}")).AddColumns("Property", "Value");
    table.AddRow("TensorGrad", report.Usable ? "[green]usable[/]" : $"[red]unusable[/]: {Markup.Escape(report.Reason!)}");
    table.AddRow("Capabilities", Markup.Escape(report.Capabilities));
    table.AddRow("Memory", report.Device.Kind == DeviceKind.IlgpuCpu ? "host memory" : $"{report.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB");
    table.AddRow("Compute units × warp", $"{report.Multiprocessors} × {report.WarpSize}");
    table.AddRow("Largest thread group", report.MaxThreadsPerGroup.ToString(System.Globalization.CultureInfo.InvariantCulture));
    if (report.Usable && report.PassOverReason is { } passedOver)
    {
        table.AddRow("Device.Best()", $"passed over: {Markup.Escape(passedOver)}");
    }

    AnsiConsole.Write(table);
}

string? forced = Environment.GetEnvironmentVariable(Device.EnvironmentVariable);
AnsiConsole.MarkupLine($"Device.Best(): [bold]{Markup.Escape(Device.Best().ToString())}[/]" +
    (string.IsNullOrWhiteSpace(forced) ? $" (set {Device.EnvironmentVariable} to override)" : $" ({Device.EnvironmentVariable}={Markup.Escape(forced)})"));
return 0;

static string YesNo(bool value) => value ? "yes" : "no";
