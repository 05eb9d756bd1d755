using System.Collections.Concurrent;
using TensorGrad.Data;

namespace TensorGrad.Lab;

/// <summary>
/// The training sessions, one per browser tab, at most <see cref="MaxSessions"/> at once. A
/// session whose page has not read an update for <see cref="IdleTimeout"/> (a closed tab, or one
/// that never connected) is stopped and its memory released.
/// </summary>
public sealed class SessionRegistry : IAsyncDisposable
{
    /// <summary>How long a session lives without its page reading an update.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, TrainingSession> sessions = new();
    private readonly Lock gate = new();
    private readonly MnistData data;
    private readonly Device device;
    private readonly Timer sweeper;

    public SessionRegistry(MnistData data, Device device, int maxSessions)
    {
        this.data = data;
        this.device = device;
        MaxSessions = maxSessions;
        sweeper = new Timer(_ => _ = EndIdleAsync(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>Sessions allowed at once; further tabs are told to wait.</summary>
    public int MaxSessions { get; }

    /// <summary>Sessions now training.</summary>
    public int Count => sessions.Count;

    /// <summary>Starts a session, or returns null when <see cref="MaxSessions"/> are training.</summary>
    public TrainingSession? TryStart()
    {
        lock (gate)
        {
            if (sessions.Count >= MaxSessions)
            {
                return null;
            }

            var session = new TrainingSession(Guid.NewGuid().ToString("n"), data, device);
            sessions[session.Id] = session;
            session.Start();
            return session;
        }
    }

    public bool TryGet(string id, out TrainingSession session) => sessions.TryGetValue(id, out session!);

    /// <summary>Stops session <paramref name="id"/> and releases it (its tab closed).</summary>
    public async Task EndAsync(string id)
    {
        if (sessions.TryRemove(id, out var session))
        {
            await session.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await sweeper.DisposeAsync();
        foreach (string id in sessions.Keys)
        {
            await EndAsync(id);
        }
    }

    private async Task EndIdleAsync()
    {
        foreach (var (id, session) in sessions)
        {
            if (DateTime.UtcNow - session.LastSeen > IdleTimeout)
            {
                await EndAsync(id);
            }
        }
    }
}
