using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Replication;

/// <summary>A standby's pg_stat_wal_receiver row: whether it streams, from where and through which slot.</summary>
public sealed record WalReceiverObservation(string Status, string? SenderHost, int? SenderPort, string? SlotName, Lsn? FlushedLsn)
{
    public bool IsStreaming => Status == "streaming";

    /// <summary>now() - last_msg_receipt_time: how long ago it last heard from its upstream.</summary>
    public TimeSpan? ContactAge { get; init; }
}
