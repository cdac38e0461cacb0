using System.Collections.Immutable;

namespace PgHaInfra.Operations.Drills.Restore;

/// <summary>One row the restore drill committed: its id, the phase it belongs to, and when its commit was acknowledged.</summary>
public sealed record DrillRow(long Id, string Phase, DateTimeOffset Acknowledged);

/// <summary>A timed step of the restore drill (backup, restore copy, recovery...).</summary>
public sealed record DrillSpan(string Step, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Detail)
{
    public TimeSpan Elapsed => EndedAt - StartedAt;
}

/// <summary>
/// What `pgha drill --kind restore` found: rows committed before and after the target, the rows the scratch cluster
/// holds, and the verdict. Passed only when the restored rows are exactly those committed before the target.
/// </summary>
public sealed record RestoreDrillReport(
    string Stack,
    string ScratchStack,
    string BackupLabel,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    DateTimeOffset Target,
    ImmutableArray<DrillRow> Rows,
    ImmutableArray<long> Restored,
    ImmutableArray<DrillSpan> Steps,
    int RestoredTimeline)
{
    /// <summary>Rows acknowledged before the target was taken: the restore must hold every one of them.</summary>
    public ImmutableArray<long> Expected => [.. Rows.Where(r => r.Acknowledged <= Target).Select(r => r.Id)];

    /// <summary>Committed before the target, absent after the restore: data lost.</summary>
    public ImmutableArray<long> Missing => [.. Expected.Except(Restored)];

    /// <summary>Present after the restore though committed after the target: the restore went too far.</summary>
    public ImmutableArray<long> Unexpected => [.. Restored.Except(Expected)];

    public bool Passed => Missing.IsEmpty && Unexpected.IsEmpty && Expected.Length > 0;

    /// <summary>RPO against the target: the time between the target and the last commit the restore holds.</summary>
    public TimeSpan? RecoveryPointGap =>
        Rows.Where(r => Restored.Contains(r.Id)).Select(r => (DateTimeOffset?)r.Acknowledged).Max() is { } last ? Target - last : null;

    public TimeSpan RestoreDuration => Steps.Where(s => s.Step is "restore copy" or "recover and promote").Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Elapsed);

    public string Verdict => Passed
        ? $"passed: the restore to {Target:HH:mm:ss.fff} holds exactly the {Expected.Length} rows committed before it and none of the {Rows.Length - Expected.Length} after; restore took {RestoreDuration.TotalSeconds:0.00} s"
        : $"FAILED: {Missing.Length} row(s) committed before the target are missing, {Unexpected.Length} committed after it are present";
}
