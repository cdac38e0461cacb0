using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Failover;

/// <summary>One row of an upstream's pg_stat_replication: a downstream as the upstream sees it.</summary>
/// <param name="Upstream">The node whose pg_stat_replication this row comes from.</param>
/// <param name="ApplicationName">The downstream's application_name, which pgha sets to its node name.</param>
/// <param name="SyncState">async, sync, quorum or potential.</param>
public sealed record ReplicationObservation(
    string Upstream,
    string ApplicationName,
    string State,
    string SyncState,
    Lsn? SentLsn,
    Lsn? FlushLsn,
    Lsn? ReplayLsn)
{
    public bool IsSynchronous => SyncState is "sync" or "quorum";
}
