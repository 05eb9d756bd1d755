using TensorGrad.Backends.Gpu;

namespace TensorGrad.Tests.Gpu;

public sealed class DeviceReportTests
{
    [Fact]
    public void The_doctor_lists_the_ilgpu_cpu_accelerator_as_usable_and_gives_a_reason_for_every_unusable_device()
    {
        var reports = DeviceReport.All();

        var cpu = Assert.Single(reports, r => r.Device == Device.IlgpuCpu());
        Assert.True(cpu.Usable, cpu.Reason);
        Assert.True(cpu.MaxThreadsPerGroup >= 1);
        Assert.All(reports.Where(r => !r.Usable), r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.All(
            reports.Where(r => r.Device.Kind == DeviceKind.OpenCL && r.Capabilities.Contains("generic address space no", StringComparison.Ordinal)),
            r => Assert.Contains("generic address space", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_device_index_is_unavailable_with_the_count_in_the_reason()
    {
        var device = Device.IlgpuCpu(5);

        Assert.False(device.IsAvailable);
        Assert.Contains("no index 5", Backends.BackendRegistry.UnavailableReason(device), StringComparison.Ordinal);
    }

    [Fact]
    public void Opencl_devices_on_the_host_cpu_are_passed_over_by_best_and_usable_devices_report_a_warp_size()
    {
        var reports = DeviceReport.All();

        Assert.All(reports.Where(r => r.Usable), r => Assert.True(r.WarpSize > 0, $"{r.Device} ({r.Name}) reports warp size {r.WarpSize}"));
        Assert.All(
            reports.Where(r => r.Device.Kind == DeviceKind.OpenCL && r.Capabilities.Contains("device type CPU", StringComparison.Ordinal)),
            r => Assert.Contains("host CPU", r.PassOverReason, StringComparison.Ordinal));
        Assert.NotNull(Assert.Single(reports, r => r.Device == Device.IlgpuCpu()).PassOverReason);
        if (Environment.GetEnvironmentVariable(Device.EnvironmentVariable) is not { Length: > 0 })
        {
            Assert.DoesNotContain(reports, r => r.PassOverReason is not null && r.Device == Device.Best());
        }
    }
}
