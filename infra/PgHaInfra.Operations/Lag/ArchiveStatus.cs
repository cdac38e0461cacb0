namespace PgHaInfra.Operations.Lag;

/// <summary>The primary's WAL archiving, judged: its level and one sentence, with the facts behind them.</summary>
public sealed record ArchiveStatus(string Node, LagLevel Level, string Reason, bool Failing, long FailedCount, string? LastArchivedWal, TimeSpan? LastArchivedAge, string? LastFailedWal, DateTimeOffset? LastFailedTime);
