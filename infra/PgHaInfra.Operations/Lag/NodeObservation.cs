using System.Collections.Immutable;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Lag;

/// <summary>What one node said in one probe, or why it said nothing. Facts only; LagAssessment judges them.</summary>
public sealed record NodeObservation
{
    public required string Node { get; init; }

    /// <summary>Why the node could not be read (connection refused, timeout), or null when it answered.</summary>
    public string? Error { get; init; }

    public bool Reachable => Error is null;

    public bool InRecovery { get; init; }

    /// <summary>pg_current_wal_lsn(), on a node that is not in recovery.</summary>
    public Lsn? CurrentLsn { get; init; }

    /// <summary>pg_last_wal_receive_lsn(): null on a primary, and on a standby that has not streamed since it started.</summary>
    public Lsn? ReceiveLsn { get; init; }

    public Lsn? ReplayLsn { get; init; }

    /// <summary>now() - pg_last_xact_replay_timestamp(): the age of the last replayed commit, not by itself a lag.</summary>
    public TimeSpan? SinceLastReplayedCommit { get; init; }

    public bool? ReplayPaused { get; init; }

    public DateTimeOffset? ServerTime { get; init; }

    public ImmutableArray<WalSenderObservation> WalSenders { get; init; } = [];

    public ImmutableArray<SlotObservation> Slots { get; init; } = [];

    public WalReceiverObservation? WalReceiver { get; init; }

    /// <summary>pg_stat_archiver and archive_mode; only a primary archives.</summary>
    public ArchiverObservation? Archiver { get; init; }

    /// <summary>How long the probe of this node took, connection included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The WAL position its downstreams are measured against: what a primary wrote, or what a standby has.</summary>
    public Lsn? Position => InRecovery
        ? ReceiveLsn is { } received && ReplayLsn is { } replayed ? (received > replayed ? received : replayed) : ReceiveLsn ?? ReplayLsn
        : CurrentLsn;

    public static NodeObservation Unreachable(string node, string error, TimeSpan elapsed) =>
        new() { Node = node, Error = error, Elapsed = elapsed };
}
