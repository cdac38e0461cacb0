using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Failover;

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

    /// <summary>A reachable server out of recovery: it accepts writes.</summary>
    public bool IsWritablePrimary => Reachable && !InRecovery;

    /// <summary>The furthest WAL this node holds: written on a primary, received (or replayed) on a standby.</summary>
    public Lsn Position => CurrentLsn ?? Lsn.Max(ReceiveLsn ?? Lsn.Zero, ReplayLsn ?? Lsn.Zero);

    public static NodeObservation Unreachable(string node, string error) => new(node, error);
}
