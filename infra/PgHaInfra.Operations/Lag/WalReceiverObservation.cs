using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Lag;

/// <summary>A standby's pg_stat_wal_receiver row: whether it streams, from where and through which slot.</summary>
public sealed record WalReceiverObservation(string Status, string? SenderHost, int? SenderPort, string? SlotName, Lsn? FlushedLsn)
{
    public bool IsStreaming => Status == "streaming";
}
