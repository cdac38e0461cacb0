namespace PgHaInfra.Operations.Failover;

/// <summary>One step of a switchover, failover or rejoin: which, on which node, when, how long, and what it saw.</summary>
/// <param name="Step">A stable name: observe, plan, fence, final-lsn, promote, re-point, rejoin, record-primary, ...</param>
public sealed record StepTiming(string Step, string? Node, DateTimeOffset StartedAt, TimeSpan Elapsed, string Detail)
{
    public DateTimeOffset EndedAt => StartedAt + Elapsed;
}
