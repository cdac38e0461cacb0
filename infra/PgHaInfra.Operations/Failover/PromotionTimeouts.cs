namespace PgHaInfra.Operations.Failover;

/// <summary>Deadlines for each waiting step; every wait in a promotion has one.</summary>
public sealed record PromotionTimeouts(TimeSpan FinalLsn, TimeSpan Promote, TimeSpan Streaming, TimeSpan Rejoin)
{
    public static readonly PromotionTimeouts Default = new(
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5));
}
