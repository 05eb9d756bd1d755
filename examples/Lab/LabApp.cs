using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TensorGrad.Data;

namespace TensorGrad.Lab;

/// <summary>The lab's web application: the page (wwwroot) and its API.</summary>
/// <remarks>
/// <c>POST /api/sessions</c> starts a tab's training session (503 when the sessions are full);
/// <c>GET /api/sessions/{id}/events</c> streams its updates as Server-Sent Events, ten a second,
/// and ends the session when the tab goes; <c>POST /api/sessions/{id}/settings</c> takes the
/// controls' values (400 with the reason when a value or the message is bad).
/// </remarks>
public static class LabApp
{
    /// <summary>Time between two updates of a session's page.</summary>
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Builds the application listening on <paramref name="urls"/>.</summary>
    public static WebApplication Build(MnistData data, Device device, int maxSessions, string urls)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, LabJson.Default));
        builder.Services.AddSingleton(_ => new SessionRegistry(data, device, maxSessions));
        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapPost("/api/sessions", (SessionRegistry sessions) => sessions.TryStart() is { } session
            ? Results.Json(new SessionStarted(session.Id, sessions.Count, sessions.MaxSessions), LabJson.Default.SessionStarted, statusCode: 201)
            : Results.Json(new LabError($"{sessions.MaxSessions} sessions are training; this tab starts when one of them ends."), LabJson.Default.LabError, statusCode: 503));
        app.MapGet("/api/sessions/{id}/events", StreamAsync);
        app.MapPost("/api/sessions/{id}/settings", ApplyAsync);
        return app;
    }

    /// <summary>The address the running application listens on (the port chosen when it was 0).</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static async Task StreamAsync(string id, HttpContext http, SessionRegistry sessions)
    {
        if (!sessions.TryGet(id, out var session))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsJsonAsync(new LabError($"no session '{id}': it ended; reload the page."), LabJson.Default.LabError);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var cancel = http.RequestAborted;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                string json = JsonSerializer.Serialize(session.TakeUpdate(), LabJson.Default.LabUpdate);
                await http.Response.WriteAsync($"data: {json}\n\n", cancel);
                await http.Response.Body.FlushAsync(cancel);
                await Task.Delay(UpdateInterval, cancel);
            }
        }
        catch (OperationCanceledException)
        {
            // The tab closed or navigated away.
        }
        finally
        {
            await sessions.EndAsync(id);
        }
    }

    private static async Task<IResult> ApplyAsync(string id, HttpRequest request, SessionRegistry sessions)
    {
        if (!sessions.TryGet(id, out var session))
        {
            return Results.Json(new LabError($"no session '{id}': it ended; reload the page."), LabJson.Default.LabError, statusCode: 404);
        }

        LabSettings? settings;
        string? problem;
        try
        {
            settings = await JsonSerializer.DeserializeAsync(request.Body, LabJson.Default.LabSettings, request.HttpContext.RequestAborted);
            problem = settings is null ? "the settings message is empty" : string.Join("; ", settings.Problems());
        }
        catch (JsonException e)
        {
            (settings, problem) = (null, $"the settings message is not valid: {e.Message}");
        }

        if (!string.IsNullOrEmpty(problem))
        {
            session.Report(problem);
            return Results.Json(new LabError(problem), LabJson.Default.LabError, statusCode: 400);
        }

        session.Apply(settings!);
        return Results.NoContent();
    }
}
