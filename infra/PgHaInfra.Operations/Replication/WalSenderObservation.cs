using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Replication;

/// <summary>
/// One row of an upstream's pg_stat_replication: a downstream as the upstream sees it. The byte columns are
/// pg_wal_lsn_diff from the upstream's own position (its current LSN on a primary, its received-or-replayed LSN on a
/// cascading standby) to each stage's LSN. The lag columns are PostgreSQL's write_lag, flush_lag and replay_lag.
/// </summary>
public sealed record WalSenderObservation(
    string ApplicationName,
    string State,
    string? SyncState,
    Lsn? SentLsn,
    Lsn? WriteLsn,
    Lsn? FlushLsn,
    Lsn? ReplayLsn,
    long? SentBytes,
    long? WriteBytes,
    long? FlushBytes,
    long? ReplayBytes,
    TimeSpan? WriteLag,
    TimeSpan? FlushLag,
    TimeSpan? ReplayLag)
{
    public bool IsStreaming => State == "streaming";

    public bool IsSynchronous => SyncState is "sync" or "quorum";
}
