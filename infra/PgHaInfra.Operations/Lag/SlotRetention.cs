using PgHaInfra.Operations.Wal;
namespace PgHaInfra.Operations.Lag;

/// <summary>One replication slot and the WAL it holds back, judged against the byte thresholds.</summary>
public sealed record SlotRetention
{
    public required string Node { get; init; }

    public required string Slot { get; init; }

    /// <summary>The replica of the stack that streams through it, or null for a slot the stack does not know.</summary>
    public string? Replica { get; init; }

    public bool Active { get; init; }

    public string? WalStatus { get; init; }

    public Lsn? RestartLsn { get; init; }

    public long? RetainedBytes { get; init; }

    public required LagLevel Level { get; init; }

    public required string Reason { get; init; }
}
