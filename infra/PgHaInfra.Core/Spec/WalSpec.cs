namespace PgHaInfra.Spec;

/// <summary>WAL retention. max_wal_senders and max_replication_slots are derived (see ReplicationCapacity).</summary>
/// <param name="KeepSize">wal_keep_size: WAL kept for replicas without a slot and for pg_rewind.</param>
/// <param name="MaxSlotKeepSize">max_slot_wal_keep_size: the most WAL a slot may hold back; null is unlimited.</param>
public sealed record WalSpec(ByteSize KeepSize, ByteSize? MaxSlotKeepSize)
{
    public static readonly WalSpec Default = new(ByteSize.FromMegabytes(512), ByteSize.FromGigabytes(8));
}
