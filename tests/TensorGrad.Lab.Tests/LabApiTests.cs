using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace TensorGrad.Lab.Tests;

/// <summary>The lab's HTTP API without a browser: the session cap, validation, and sessions ending with their tab.</summary>
[Collection(LabFixture.Serial)]
public sealed class LabApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATabBeyondTheCapIsToldToWaitUntilASessionEnds()
    {
        await using var app = LabApp.Build(LabFixture.Data, Device.Cpu, maxSessions: 1, "http://127.0.0.1:0");
        await app.StartAsync(Cancel);
        using var http = new HttpClient { BaseAddress = new Uri(LabApp.Address(app)) };

        var first = await http.PostAsync("/api/sessions", null, Cancel);
        var second = await http.PostAsync("/api/sessions", null, Cancel);
        string id = (await first.Content.ReadFromJsonAsync(LabJson.Default.SessionStarted, Cancel))!.Id;
        using (var events = await http.GetAsync($"/api/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            // Reading one update then closing the stream is a tab that came and went.
            using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(Cancel));
            Assert.StartsWith("data: {", await reader.ReadLineAsync(Cancel));
        }

        HttpResponseMessage third;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(50, Cancel);
            third = await http.PostAsync("/api/sessions", null, Cancel);
        }
        while (third.StatusCode != HttpStatusCode.Created && waited.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Contains("1 sessions are training", await second.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
    }

    [Theory]
    [InlineData("""{"learningRate": 0.01}""", "missing required properties")]
    [InlineData("""{"learningRate":50,"batchSize":3,"clipNorm":null,"schedule":false,"optimizer":"rmsprop","depth":40,"activation":"relu","residual":false,"init":"default"}""", "learningRate must be between 0.0001 and 10, got 50; batchSize must be a power of two from 1 to 1024, got 3; optimizer must be \"sgd\" or \"adam\", got \"rmsprop\"; depth must be between 2 and 16, got 40")]
    [InlineData("""{"learningRate":0.01,"batchSize":64,"clipNorm":null,"schedule":false,"optimizer":"sgd","depth":4,"activation":"relu","residual":false,"init":"default","extra":1}""", "extra")]
    [InlineData("not json", "the settings message is not valid")]
    public async Task BadSettingsGetAReasonAndChangeNothing(string body, string reason)
    {
        await using var app = LabApp.Build(LabFixture.Data, Device.Cpu, maxSessions: 1, "http://127.0.0.1:0");
        await app.StartAsync(Cancel);
        using var http = new HttpClient { BaseAddress = new Uri(LabApp.Address(app)) };
        string id = (await (await http.PostAsync("/api/sessions", null, Cancel)).Content.ReadFromJsonAsync(LabJson.Default.SessionStarted, Cancel))!.Id;

        var response = await http.PostAsync($"/api/sessions/{id}/settings", new StringContent(body, Encoding.UTF8, "application/json"), Cancel);
        var error = await response.Content.ReadFromJsonAsync(LabJson.Default.LabError, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, error!.Error, StringComparison.Ordinal);
    }
}
