using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Status;

/// <summary>
/// One node as PostgreSQL reports it. Role comes from pg_is_in_recovery(): "primary" or "replica", or
/// "unreachable" when the node does not answer.
/// </summary>
/// <param name="Upstream">The node it streams from (per the spec), null for the primary.</param>
/// <param name="State">Its walsender state on the upstream (streaming, catchup, ...), null when absent.</param>
/// <param name="ReceiverStatus">pg_stat_wal_receiver.status on the replica, null when no receiver runs.</param>
/// <param name="Lsn">The primary's current WAL position, or the replica's replay position.</param>
/// <param name="ReceiveLsn">What a replica received (null on the primary).</param>
/// <param name="LagBytes">Bytes behind the primary's current position (replay), null when unknown or on the primary.</param>
public sealed record NodeStatus(
    string Name,
    string Role,
    string? Upstream,
    string? State,
    string? SyncState,
    string? ReceiverStatus,
    string? Lsn,
    string? ReceiveLsn,
    long? LagBytes,
    double? LagSeconds,
    string? Error);
