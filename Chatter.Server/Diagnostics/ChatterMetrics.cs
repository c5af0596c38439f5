using System.Diagnostics.Metrics;

namespace Chatter.Server.Diagnostics;

/// <summary>
/// Chatter's instruments (meter <c>Chatter.Server</c>). Recording costs next to nothing while nobody listens;
/// <c>Chatter:Metrics:Enabled</c> exports them, with the ASP.NET Core, Kestrel and runtime meters, on <c>/metrics</c>.
/// </summary>
public sealed class ChatterMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Chatter.Server";

    private readonly UpDownCounter<long> connections;
    private readonly Counter<long> logins;
    private readonly Counter<long> passwordChecks;
    private readonly Counter<long> stored;
    private readonly Counter<long> delivered;
    private readonly Counter<long> invalidFrames;
    private readonly Counter<long> rateLimited;
    private readonly Counter<long> disconnects;
    private readonly Counter<long> broadcastFailures;
    private readonly Histogram<double> historyDuration;
    private readonly Histogram<double> broadcastDuration;

    public ChatterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        connections = meter.CreateUpDownCounter<long>("chatter.connections", "{connection}", "Open hub connections, by transport (raw, signalr)");
        logins = meter.CreateCounter<long>("chatter.logins", "{login}", "Logins (raw login frames and token requests), by transport and result (ok, refused) with the reason");
        passwordChecks = meter.CreateCounter<long>("chatter.logins.password_checks", "{check}", "Passwords checked (PBKDF2), by result (ok, wrong)");
        stored = meter.CreateCounter<long>("chatter.messages.stored", "{message}", "Messages stored, by the sender's transport");
        delivered = meter.CreateCounter<long>("chatter.messages.delivered", "{message}", "Messages handed to a recipient connection (one per recipient)");
        invalidFrames = meter.CreateCounter<long>("chatter.frames.invalid", "{frame}", "Frames and calls refused as invalid, by transport");
        rateLimited = meter.CreateCounter<long>("chatter.messages.rate_limited", "{message}", "Calls refused by the per-connection rate limit, by transport");
        broadcastFailures = meter.CreateCounter<long>("chatter.broadcasts.failed", "{message}", "Stored messages whose broadcast failed (their sender still got the ack; others get them by replay)");
        disconnects = meter.CreateCounter<long>("chatter.disconnects", "{connection}", "Hub connections ended, by reason (client, slow_consumer, shutdown, error)");
        historyDuration = meter.CreateHistogram<double>("chatter.history.duration", "s", "Time of history store operations (append, replay, page), by operation and outcome");
        broadcastDuration = meter.CreateHistogram<double>("chatter.broadcast.duration", "s", "Time to hand one stored message to every other connection");
    }

    public void Connected(string transport) => connections.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void Disconnected(string transport, string reason)
    {
        connections.Add(-1, new KeyValuePair<string, object?>("transport", transport));
        disconnects.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("reason", reason));
    }

    public void LoginOk(string transport)
        => logins.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("result", "ok"));

    /// <summary>A refused login; <paramref name="reason"/> is one of the protocol's fixed reasons.</summary>
    public void LoginRefused(string transport, string reason)
        => logins.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("result", "refused"), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A password was checked against the users file.</summary>
    public void PasswordChecked(bool ok) => passwordChecks.Add(1, new KeyValuePair<string, object?>("result", ok ? "ok" : "wrong"));

    public void MessageStored(string transport) => stored.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void MessageDelivered() => delivered.Add(1);

    public void BroadcastFailed() => broadcastFailures.Add(1);

    public void InvalidFrame(string transport) => invalidFrames.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void RateLimited(string transport) => rateLimited.Add(1, new KeyValuePair<string, object?>("transport", transport));

    /// <summary>Records a store operation that started at <paramref name="startedAt"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void HistoryOperation(string operation, bool ok, TimeProvider time, long startedAt)
        => historyDuration.Record(
            time.GetElapsedTime(startedAt).TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));

    public void Broadcast(TimeProvider time, long startedAt) => broadcastDuration.Record(time.GetElapsedTime(startedAt).TotalSeconds);
}
