using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Lag;

/// <summary>One replica's lag, judged: the level, the one-sentence reason, and the measures behind it.</summary>
public sealed record ReplicaLag
{
    public required string Replica { get; init; }

    /// <summary>The node it streams from (the primary unless it cascades).</summary>
    public required string Upstream { get; init; }

    public bool Cascading { get; init; }

    /// <summary>recovery_min_apply_delay of a delayed replica; its time lag is judged beyond this.</summary>
    public TimeSpan? ApplyDelay { get; init; }

    public required LagLevel Level { get; init; }

    public required string Reason { get; init; }

    /// <summary>Both sides agree it streams (null when neither side could be read).</summary>
    public bool? Streaming { get; init; }

    /// <summary>pg_stat_replication.state on the upstream, or null without a row.</summary>
    public string? State { get; init; }

    public string? SyncState { get; init; }

    /// <summary>pg_stat_wal_receiver.status on the replica ("none" when it has no WAL receiver).</summary>
    public string? ReceiverStatus { get; init; }

    public bool? ReplayPaused { get; init; }

    public Lsn? ReceiveLsn { get; init; }

    public Lsn? ReplayLsn { get; init; }

    /// <summary>Behind its own upstream, per stage, as the upstream's pg_stat_replication reports it.</summary>
    public StageBytes BehindUpstream { get; init; } = StageBytes.None;

    public TimeSpan? WriteLag { get; init; }

    public TimeSpan? FlushLag { get; init; }

    public TimeSpan? ReplayLag { get; init; }

    /// <summary>Primary's current LSN minus the replica's received LSN.</summary>
    public long? ReceiveBytesBehindPrimary { get; init; }

    /// <summary>Primary's current LSN minus the replica's replayed LSN.</summary>
    public long? ReplayBytesBehindPrimary { get; init; }

    /// <summary>The byte lag judged against the thresholds: replayed bytes behind the primary, received bytes for a delayed replica.</summary>
    public long? LagBytes { get; init; }

    /// <summary>The time lag: 0 when caught up, else the upstream's replay_lag, else the replica's apply lag (see LagAssessment.TimeLag).</summary>
    public TimeSpan? TimeLag { get; init; }

    /// <summary>The time lag judged against the thresholds: TimeLag minus the apply delay of a delayed replica.</summary>
    public TimeSpan? JudgedTimeLag { get; init; }
}
