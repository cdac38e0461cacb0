namespace PgHaInfra.Operations.Lag;

/// <summary>Bytes a downstream is behind its upstream at each stage: sent, written, flushed and replayed.</summary>
public sealed record StageBytes(long? Sent, long? Write, long? Flush, long? Replay)
{
    public static readonly StageBytes None = new(null, null, null, null);
}
