using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Replication;

/// <summary>
/// One row of a node's pg_replication_slots. RetainedBytes is pg_wal_lsn_diff(node position, restart_lsn): the WAL the
/// slot keeps from being recycled.
/// </summary>
public sealed record SlotObservation(string SlotName, string SlotType, bool Active, Lsn? RestartLsn, string? WalStatus, long? RetainedBytes);
