namespace PgHaInfra.Operations.Drills;

/// <summary>One write the drill's writer attempted: acknowledged (committed, with the node that took it) or failed.</summary>
/// <param name="Id">The row's sequence number; one per attempt, so a failed attempt leaves a gap.</param>
/// <param name="Node">cluster_name of the server that acknowledged the commit; null when it failed.</param>
/// <param name="Error">Why the attempt failed; null when acknowledged.</param>
public sealed record WriteRecord(long Id, DateTimeOffset SentAt, DateTimeOffset DoneAt, string? Node, string? Error)
{
    public bool Acknowledged => Error is null;
}
