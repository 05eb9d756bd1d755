using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using TensorGrad.Data;
using TensorGrad.Examples.Common;

namespace TensorGrad.Lab.Tests;

/// <summary>
/// The lab served on 127.0.0.1 at a free port, and Debian's Chromium (headless, driven by
/// Playwright) to open it. Without Chromium the browser tests skip with the reason, or fail when
/// TENSORGRAD_REQUIRE_BROWSER=1 (CI sets it).
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    /// <summary>
    /// The collection of the tests that train sessions: they run one at a time, since they check
    /// how fast training reacts (a status within 10 s) on the machine's cores.
    /// </summary>
    public const string Serial = "lab sessions";

    public const string RequireVariable = "TENSORGRAD_REQUIRE_BROWSER";
    public const string ChromiumPath = "/usr/lib/chromium/chromium";

    private IPlaywright? playwright;
    private IBrowser? browser;

    public WebApplication App { get; private set; } = null!;

    public string Address { get; private set; } = "";

    /// <summary>The bundled MNIST sample.</summary>
    public static MnistData Data { get; } = Mnist.Load(RepositoryPaths.FindMnistSample() ?? throw new InvalidOperationException("the MNIST sample is missing"), normalize: true);

    /// <summary>Where the scenario screenshots go: TestResults/lab in the repository.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot(), "TestResults", "lab");

    public async ValueTask InitializeAsync()
    {
        App = LabApp.Build(Data, Device.Cpu, maxSessions: 4, "http://127.0.0.1:0");
        await App.StartAsync();
        Address = LabApp.Address(App);
    }

    /// <summary>A new tab (its own browser context) at 1280×800 showing the lab; skips without Chromium.</summary>
    public async Task<IPage> OpenAsync()
    {
        if (browser is null)
        {
            if (!File.Exists(ChromiumPath))
            {
                string reason = $"Chromium is not installed ({ChromiumPath}): apt-get install chromium";
                if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
                {
                    Assert.Fail($"{RequireVariable}=1 but {reason}");
                }

                Assert.Skip(reason);
            }

            playwright = await Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
        }

        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Address);
        return page;
    }

    /// <summary>Saves <paramref name="page"/> as TestResults/lab/<paramref name="name"/>.png.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png") });
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        await App.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TensorGrad.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
