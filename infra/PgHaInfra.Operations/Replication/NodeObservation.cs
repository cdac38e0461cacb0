using System.Collections.Immutable;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Operations.Replication;

/// <summary>
/// What one node said in one probe (<see cref="ReplicationProbe"/>), or why it said nothing. Facts only: status, the
/// streaming check, lag and the failover planners each judge them.
/// </summary>
public sealed record NodeObservation
{
    public required string Node { get; init; }

    /// <summary>Why the node could not be read (connection refused, timeout, a server's error), or null when it answered.</summary>
    public string? Error { get; init; }

    /// <summary>How asking it failed; <see cref="ObservationFailure.None"/> when it answered.</summary>
    public ObservationFailure Failure { get; init; }

    public bool Reachable => Error is null;

    public bool InRecovery { get; init; }

    /// <summary>pg_current_wal_lsn(), on a node that is not in recovery.</summary>
    public Lsn? CurrentLsn { get; init; }

    /// <summary>pg_last_wal_receive_lsn(): null on a primary, and on a standby that has not streamed since it started.</summary>
    public Lsn? ReceiveLsn { get; init; }

    public Lsn? ReplayLsn { get; init; }

    /// <summary>now() - pg_last_xact_replay_timestamp(): the age of the last replayed commit, not by itself a lag.</summary>
    public TimeSpan? SinceLastReplayedCommit { get; init; }

    /// <summary>pg_is_wal_replay_paused() (a pause requested counts), on a standby.</summary>
    public bool? ReplayPaused { get; init; }

    /// <summary>The timeline the node writes (a primary) or last received (a standby's WAL receiver).</summary>
    public int? Timeline { get; init; }

    public DateTimeOffset? ServerTime { get; init; }

    public ImmutableArray<WalSenderObservation> WalSenders { get; init; } = [];

    public ImmutableArray<SlotObservation> Slots { get; init; } = [];

    public WalReceiverObservation? WalReceiver { get; init; }

    /// <summary>pg_stat_archiver and archive_mode; only a primary archives.</summary>
    public ArchiverObservation? Archiver { get; init; }

    /// <summary>How long the probe of this node took, connection included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Only a connection-level failure (no server answered) counts as a node being gone.</summary>
    public bool IsGone => Failure == ObservationFailure.Connection;

    /// <summary>A reachable server out of recovery: it accepts writes.</summary>
    public bool IsWritablePrimary => Reachable && !InRecovery;

    /// <summary>pg_stat_wal_receiver.status (streaming, waiting, ...), or null without a WAL receiver.</summary>
    public string? ReceiverStatus => WalReceiver?.Status;

    /// <summary>The slot the WAL receiver streams through.</summary>
    public string? ReceiverSlot => WalReceiver?.SlotName;

    /// <summary>How long ago its WAL receiver last heard from its upstream; null without one.</summary>
    public TimeSpan? ReceiverContactAge => WalReceiver?.ContactAge;

    /// <summary>On a standby, the age of the last replayed commit, or 0 once everything received is replayed.</summary>
    public TimeSpan? ReplayAge => !InRecovery ? null
        : ReceiveLsn is { } received && received == ReplayLsn ? TimeSpan.Zero
        : SinceLastReplayedCommit is { } age ? (age < TimeSpan.Zero ? TimeSpan.Zero : age) : null;

    /// <summary>The WAL position its downstreams are measured against: what a primary wrote, or what a standby has.</summary>
    public Lsn? Position => InRecovery
        ? ReceiveLsn is { } received && ReplayLsn is { } replayed ? Lsn.Max(received, replayed) : ReceiveLsn ?? ReplayLsn
        : CurrentLsn;

    /// <summary>How this node's pg_stat_replication lists <paramref name="downstream"/> (by application_name); a streaming row wins over a leftover one.</summary>
    public WalSenderObservation? SenderFor(string downstream) =>
        WalSenders.Where(s => s.ApplicationName == downstream).OrderByDescending(s => s.IsStreaming).FirstOrDefault();

    public static NodeObservation Unreachable(string node, string error, ObservationFailure failure = ObservationFailure.Connection, TimeSpan elapsed = default) =>
        new() { Node = node, Error = error, Failure = failure, Elapsed = elapsed };
}
