using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PgHaInfra.Operations.Lag;

namespace PgHaInfra.Cli.Commands.Lag;

/// <summary>
/// The stable `pgha lag --json` document (schema "pgha.lag/v1", described in the README). Fields are only ever added;
/// a renamed or removed field would get a new schema version. Bytes are integers, durations are seconds (fractional),
/// LSNs are PostgreSQL's text form, and an unknown value is null.
/// </summary>
public static class LagJson
{
    public const string Schema = "pgha.lag/v1";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The report as one JSON document; <paramref name="indented"/> false gives one line (for --watch).</summary>
    public static string Serialize(LagReport report, bool indented = true) => JsonSerializer.Serialize(ToDocument(report), indented ? Indented : Compact);

    public static LagDocument ToDocument(LagReport r) => new(
        Schema,
        r.Stack,
        r.Cluster,
        r.ObservedAt,
        Math.Round(r.ProbeElapsed.TotalMilliseconds, 1),
        r.Level.Name(),
        r.ExitCode,
        r.Reason,
        r.Primary,
        r.PrimaryLsn?.ToString(),
        new ThresholdsDocument(r.Thresholds.WarningBytes.Bytes, r.Thresholds.CriticalBytes.Bytes, r.Thresholds.WarningTime.TotalSeconds, r.Thresholds.CriticalTime.TotalSeconds),
        [.. r.ClusterProblems],
        [.. r.Nodes.Select(n => new NodeDocument(n.Node, n.Reachable, n.Role, n.Error, Math.Round(n.Elapsed.TotalMilliseconds, 1)))],
        [.. r.Replicas.Select(x => new ReplicaDocument(
            x.Replica,
            x.Upstream,
            x.Cascading,
            Seconds(x.ApplyDelay),
            x.Level.Name(),
            x.Reason,
            x.Streaming,
            x.State,
            x.SyncState,
            x.ReceiverStatus,
            x.ReplayPaused,
            x.ReceiveLsn?.ToString(),
            x.ReplayLsn?.ToString(),
            new StagesDocument(x.BehindUpstream.Sent, x.BehindUpstream.Write, x.BehindUpstream.Flush, x.BehindUpstream.Replay),
            new UpstreamLagDocument(Seconds(x.WriteLag), Seconds(x.FlushLag), Seconds(x.ReplayLag)),
            new BehindPrimaryDocument(x.ReceiveBytesBehindPrimary, x.ReplayBytesBehindPrimary),
            x.LagBytes,
            Seconds(x.TimeLag),
            Seconds(x.JudgedTimeLag)))],
        [.. r.Slots.Select(s => new SlotDocument(s.Node, s.Slot, s.Replica, s.Active, s.WalStatus, s.RestartLsn?.ToString(), s.RetainedBytes, s.Level.Name(), s.Reason))],
        r.Archiving is { } a ? new ArchiveDocument(a.Node, a.Level.Name(), a.Reason, a.Failing, a.FailedCount, a.LastArchivedWal, Seconds(a.LastArchivedAge), a.LastFailedWal, a.LastFailedTime) : null);

    private static double? Seconds(TimeSpan? duration) => duration is { } d ? Math.Round(d.TotalSeconds, 3) : null;
}

public sealed record LagDocument(
    string Schema,
    string Stack,
    string Cluster,
    DateTimeOffset ObservedAt,
    double ProbeMilliseconds,
    string Level,
    int ExitCode,
    string Reason,
    string Primary,
    string? PrimaryLsn,
    ThresholdsDocument Thresholds,
    IReadOnlyList<string> Problems,
    IReadOnlyList<NodeDocument> Nodes,
    IReadOnlyList<ReplicaDocument> Replicas,
    IReadOnlyList<SlotDocument> Slots,
    ArchiveDocument? Archiving = null);

/// <summary>The primary's WAL archiving (pg_stat_archiver), present when it archives or the stack configures backups.</summary>
public sealed record ArchiveDocument(string Node, string Level, string Reason, bool Failing, long FailedCount, string? LastArchivedWal, double? LastArchivedAgeSeconds, string? LastFailedWal, DateTimeOffset? LastFailedTime);

public sealed record ThresholdsDocument(long WarningBytes, long CriticalBytes, double WarningSeconds, double CriticalSeconds);

public sealed record NodeDocument(string Name, bool Reachable, string Role, string? Error, double ProbeMilliseconds);

public sealed record ReplicaDocument(
    string Name,
    string Upstream,
    bool Cascading,
    double? ApplyDelaySeconds,
    string Level,
    string Reason,
    bool? Streaming,
    string? State,
    string? SyncState,
    string? ReceiverStatus,
    bool? ReplayPaused,
    string? ReceiveLsn,
    string? ReplayLsn,
    StagesDocument BehindUpstreamBytes,
    UpstreamLagDocument UpstreamLagSeconds,
    BehindPrimaryDocument BehindPrimaryBytes,
    long? LagBytes,
    double? LagSeconds,
    double? JudgedLagSeconds);

public sealed record StagesDocument(long? Sent, long? Write, long? Flush, long? Replay);

public sealed record UpstreamLagDocument(double? Write, double? Flush, double? Replay);

public sealed record BehindPrimaryDocument(long? Receive, long? Replay);

public sealed record SlotDocument(
    string Node,
    string Slot,
    string? Replica,
    bool Active,
    string? WalStatus,
    string? RestartLsn,
    long? RetainedBytes,
    string Level,
    string Reason);
