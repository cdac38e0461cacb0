using PgHaInfra.Operations.Replication;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Lag;

/// <summary>
/// Judges the primary's archiving: critical while its last attempt failed (every segment after it waits in pg_wal,
/// and a restore cannot reach past the last archived one), ok otherwise. Only the primary archives (archive_mode on),
/// so after a failover it is the new primary that is judged. The age of the last archived segment is reported, not
/// judged: an idle primary switches no segment, so an old one is not by itself a fault.
/// </summary>
public static class ArchiveAssessment
{
    public static ArchiveStatus? Assess(ClusterSpec spec, NodeObservation primary)
    {
        if (!primary.Reachable || primary.InRecovery || primary.Archiver is not { } archiver)
        {
            return null;
        }

        if (archiver.Mode == "off")
        {
            return spec.Backup is null
                ? null
                : Status(LagLevel.Critical, $"{primary.Node} does not archive (archive_mode off) although the stack configures backups: restart it to apply the rendered archive_mode");
        }

        if (archiver.Failing)
        {
            var lastGood = archiver.LastArchivedWal is { } wal ? $"the last success was {wal}, {Age(archiver.LastArchivedAge)} ago" : "nothing was ever archived";
            return Status(LagLevel.Critical,
                $"archiving fails on {primary.Node}: {archiver.FailedCount} failed attempt(s), the last for {archiver.LastFailedWal}; {lastGood}; WAL piles up in pg_wal and no restore can reach past it");
        }

        return Status(LagLevel.Ok, archiver.LastArchivedWal is { } last
            ? $"{primary.Node} archives: last segment {last}, {Age(archiver.LastArchivedAge)} ago"
            : $"{primary.Node} archives, and no segment has been finished yet");

        ArchiveStatus Status(LagLevel level, string reason) => new(primary.Node, level, reason, archiver.Failing, archiver.FailedCount,
            archiver.LastArchivedWal, archiver.LastArchivedAge, archiver.LastFailedWal, archiver.LastFailedTime);
    }

    private static string Age(TimeSpan? age) => age is { } a ? SizeText.Seconds(a) : "an unknown time";
}
