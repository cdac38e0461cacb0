namespace PgHaInfra.Operations.Replication;

/// <summary>A node's pg_stat_archiver row and its archive_mode: facts only; <see cref="ArchiveAssessment"/> judges them.</summary>
/// <param name="LastArchivedAge">now() - last_archived_time on the node's own clock.</param>
public sealed record ArchiverObservation(
    string Mode,
    long ArchivedCount,
    string? LastArchivedWal,
    DateTimeOffset? LastArchivedTime,
    long FailedCount,
    string? LastFailedWal,
    DateTimeOffset? LastFailedTime,
    TimeSpan? LastArchivedAge)
{
    /// <summary>The last attempt failed: a failure newer than the last success (PostgreSQL retries the same segment until it succeeds).</summary>
    public bool Failing => LastFailedTime is { } failed && (LastArchivedTime is not { } archived || failed > archived);
}
