namespace PgHaInfra.Operations.Failover;

/// <summary>Deadlines for each waiting step; every wait in a promotion has one.</summary>
/// <param name="Rejoin">Bounds a whole rejoin (slot, rewind or re-clone, start, streaming wait).</param>
public sealed record PromotionTimeouts(TimeSpan FinalLsn, TimeSpan Promote, TimeSpan Streaming, TimeSpan Rejoin)
{
    public static readonly PromotionTimeouts Default = new(
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5));

    /// <summary>Bounds a switchover's roll-back, on a token of its own (the operation's may be cancelled).</summary>
    public TimeSpan RollBack { get; init; } = TimeSpan.FromSeconds(60);
}
