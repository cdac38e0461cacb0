namespace PgHaInfra.Spec;

/// <summary>
/// How many WAL senders and slots a node needs. Every node gets the same values: a standby refuses to start
/// when its max_wal_senders is below the primary's, and any node may become the primary after a failover.
/// </summary>
public static class ReplicationCapacity
{
    /// <summary>One sender per replica, plus two for a pg_basebackup with -X stream.</summary>
    public static int RequiredWalSenders(ClusterSpec spec) => Math.Max(3, spec.ReplicaCount + 2);

    /// <summary>What is rendered: the requirement plus two spare, for a replica re-pointed while its old session lingers.</summary>
    public static int WalSenders(ClusterSpec spec) => RequiredWalSenders(spec) + 2;

    /// <summary>A primary holds one slot per direct replica, and after a failover that can be every other node.</summary>
    public static int RequiredReplicationSlots(ClusterSpec spec) => Math.Max(1, spec.ReplicaCount);

    public static int ReplicationSlots(ClusterSpec spec) => RequiredReplicationSlots(spec) + 4;
}
