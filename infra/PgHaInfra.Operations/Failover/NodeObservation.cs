using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Failover;

/// <summary>How asking a node failed: what decides whether a primary is gone.</summary>
public enum ObservationFailure
{
    /// <summary>It answered.</summary>
    None,

    /// <summary>No server could be reached: refused, reset, timed out, no route. Only this can mean "gone".</summary>
    Connection,

    /// <summary>
    /// A server answered, with an error: too many clients, starting up or shutting down, authentication. It is alive.
    /// </summary>
    Server,
}

/// <summary>What one node reported about itself at one moment, or why it could not be asked.</summary>
/// <param name="Error">Why the node could not be reached; null when it answered.</param>
/// <param name="CurrentLsn">pg_current_wal_lsn() on a primary; null on a standby.</param>
/// <param name="ReceiveLsn">pg_last_wal_receive_lsn() on a standby.</param>
/// <param name="ReplayLsn">pg_last_wal_replay_lsn() on a standby.</param>
/// <param name="ReplayPaused">pg_get_wal_replay_pause_state() is not 'not paused'.</param>
/// <param name="ReceiverStatus">pg_stat_wal_receiver.status (streaming, waiting, ...) or null without a WAL receiver.</param>
/// <param name="ReceiverSlot">The slot the WAL receiver streams through.</param>
/// <param name="Timeline">The timeline the node writes (primary) or last received (standby).</param>
/// <param name="ReplayAge">now() - pg_last_xact_replay_timestamp(); 0 when everything received is replayed.</param>
public sealed record NodeObservation(
    string Node,
    string? Error,
    bool InRecovery = false,
    Lsn? CurrentLsn = null,
    Lsn? ReceiveLsn = null,
    Lsn? ReplayLsn = null,
    bool ReplayPaused = false,
    string? ReceiverStatus = null,
    string? ReceiverSlot = null,
    int? Timeline = null,
    TimeSpan? ReplayAge = null)
{
    public bool Reachable => Error is null;

    /// <summary>Why it could not be asked; <see cref="ObservationFailure.Connection"/> for an unreachable node unless said otherwise.</summary>
    public ObservationFailure Failure { get; init; } = Error is null ? ObservationFailure.None : ObservationFailure.Connection;

    /// <summary>How long ago its WAL receiver last heard from its upstream (pg_stat_wal_receiver.last_msg_receipt_time); null without one.</summary>
    public TimeSpan? ReceiverContactAge { get; init; }

    /// <summary>Only a connection-level failure (no server answered) counts as a node being gone.</summary>
    public bool IsGone => Failure == ObservationFailure.Connection;

    /// <summary>A reachable server out of recovery: it accepts writes.</summary>
    public bool IsWritablePrimary => Reachable && !InRecovery;

    /// <summary>The furthest WAL this node holds: written on a primary, received (or replayed) on a standby.</summary>
    public Lsn Position => CurrentLsn ?? Lsn.Max(ReceiveLsn ?? Lsn.Zero, ReplayLsn ?? Lsn.Zero);

    public static NodeObservation Unreachable(string node, string error, ObservationFailure failure = ObservationFailure.Connection) =>
        new(node, error) { Failure = failure };
}
