using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TensorGrad.Lab.Tests;

/// <summary>The lab's scenarios in Chromium, each ending with a screenshot in TestResults/lab.</summary>
[Collection(LabFixture.Serial)]
public sealed class LabPageTests(LabFixture lab) : IClassFixture<LabFixture>, IAsyncDisposable
{
    private readonly List<IBrowserContext> tabs = [];

    private static readonly LocatorAssertionsToHaveTextOptions TenSeconds = new() { Timeout = 10_000 };

    // Slider position 90 of 100 on the log scale from 1e-4 to 10: a learning rate of 3.16.
    private const string LearningRateThree = "90";

    [Fact]
    public async Task ThePageLoadsAndTheLossFallsAtLearningRate001()
    {
        var page = await OpenAsync();

        await Expect(page.Locator("#lr-value")).ToHaveTextAsync("0.01");
        await page.WaitForFunctionAsync("() => lab.lastUpdate && lab.lastUpdate.step > 500 && lab.lastUpdate.testAccuracy > 0.8", null, new() { Timeout = 20_000 });
        double first = await page.EvaluateAsync<double>("() => lab.current[0][1]");
        double now = await page.EvaluateAsync<double>("() => lab.lastUpdate.smoothedLoss");
        await Expect(page.Locator("#status")).ToHaveTextAsync("stable", TenSeconds);
        await LabFixture.ScreenshotAsync(page, "stable");

        Assert.True(now < first / 4, $"the loss went from {first} to {now}");
    }

    [Fact]
    public async Task LearningRateThreeWithSgdDivergesAndClippingMakesItStable()
    {
        var page = await OpenAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("stable", TenSeconds);

        await page.Locator("#lr").FillAsync(LearningRateThree);
        await Expect(page.Locator("#lr-value")).ToHaveTextAsync("3.16");
        await Expect(page.Locator("#status")).ToContainTextAsync("diverging", new() { Timeout = 10_000 });
        await LabFixture.ScreenshotAsync(page, "diverging");

        await page.Locator("#clip").CheckAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("stable", TenSeconds);
        await page.WaitForFunctionAsync("() => lab.lastUpdate.testAccuracy > 0.5", null, new() { Timeout = 10_000 });
        await LabFixture.ScreenshotAsync(page, "clipped");
    }

    [Fact]
    public async Task ADeepSigmoidNetShowsVanishingGradients()
    {
        var page = await OpenAsync();

        await page.Locator("#activation").SelectOptionAsync("sigmoid");
        await page.Locator("#depth").FillAsync("12");

        await Expect(page.Locator("#status")).ToContainTextAsync("vanishing: first-layer gradient 10⁻", new() { Timeout = 10_000 });
        await Expect(page.Locator("#bars .bar")).ToHaveCountAsync(12);
        await LabFixture.ScreenshotAsync(page, "vanishing");
    }

    [Fact]
    public async Task TwoTabsTrainIndependently()
    {
        var calm = await OpenAsync();
        var wild = await OpenAsync();
        await Expect(calm.Locator("#status")).ToHaveTextAsync("stable", TenSeconds);

        await wild.Locator("#lr").FillAsync(LearningRateThree);

        await Expect(wild.Locator("#status")).ToContainTextAsync("diverging", new() { Timeout = 10_000 });
        await Expect(calm.Locator("#status")).ToHaveTextAsync("stable");
        Assert.NotEqual(await calm.EvaluateAsync<string>("() => lab.session"), await wild.EvaluateAsync<string>("() => lab.session"));
        await LabFixture.ScreenshotAsync(calm, "two-tabs-calm");
        await LabFixture.ScreenshotAsync(wild, "two-tabs-wild");
    }

    [Fact]
    public async Task AMalformedMessageGetsAnErrorOnThePageAndTheServerKeepsServing()
    {
        var page = await OpenAsync();
        await page.WaitForFunctionAsync("() => lab.lastUpdate && lab.lastUpdate.step > 0");

        int status = await page.EvaluateAsync<int>("""
            () => fetch(`/api/sessions/${lab.session}/settings`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"learningRate": "fast"' })
                .then(r => r.status)
            """);
        await Expect(page.Locator("#error")).ToContainTextAsync("the settings message is not valid", TenSeconds.AsContains());
        int stepAfter = await page.EvaluateAsync<int>("() => lab.lastUpdate.step");
        await page.WaitForFunctionAsync($"() => lab.lastUpdate.step > {stepAfter + 100}");
        await LabFixture.ScreenshotAsync(page, "malformed-message");
        var another = await OpenAsync();
        await Expect(another.Locator("#status")).ToHaveTextAsync("stable", TenSeconds);

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task TheControlsWorkFromTheKeyboardAndFitA1280By800Window()
    {
        var page = await OpenAsync();

        await page.Locator("#lr").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Tab");

        await Expect(page.Locator("#lr")).ToHaveAttributeAsync("aria-valuetext", "learning rate 0.0112");
        await Expect(page.Locator("#batch")).ToBeFocusedAsync();
        foreach (string id in (string[])["#controls", "#loss", "#diagram", "#status"])
        {
            var box = await page.Locator(id).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Y + box.Height <= 800 && box.X + box.Width <= 1280, $"{id} ends at ({box.X + box.Width}, {box.Y + box.Height}), outside 1280×800");
        }
    }

    /// <summary>Closes this test's tabs, which ends their training sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var tab in tabs)
        {
            await tab.CloseAsync();
        }
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await lab.OpenAsync();
        tabs.Add(page.Context);
        return page;
    }
}

/// <summary>Option conversions for the assertions above.</summary>
internal static class AssertionOptions
{
    public static LocatorAssertionsToContainTextOptions AsContains(this LocatorAssertionsToHaveTextOptions options) => new() { Timeout = options.Timeout };
}
