namespace PgHaInfra.Spec;

/// <summary>
/// Backups with pgBackRest, as the stack's <c>backup</c> keys describe them. Absent (null on <see cref="ClusterSpec"/>)
/// means no archiving and no backups: the cluster renders exactly as without this feature.
/// </summary>
/// <param name="Repository">Where backups and archived WAL live.</param>
/// <param name="RetentionFull">Full backups kept (repo1-retention-full); older ones and the WAL only they need are expired.</param>
/// <param name="RetentionDiff">Differential backups kept (repo1-retention-diff), or null for pgBackRest's default (as many as the fulls allow).</param>
/// <param name="Compress">How files are compressed in the repository.</param>
/// <param name="FromStandby">Back up from a healthy standby (backup-standby), so the primary only serves the start and stop calls.</param>
/// <param name="ArchiveAsync">Push WAL asynchronously (archive-async with a spool directory), so archive_command returns at once.</param>
public sealed record BackupSpec(
    BackupRepository Repository,
    int RetentionFull,
    int? RetentionDiff,
    BackupCompression Compress,
    bool FromStandby,
    bool ArchiveAsync)
{
    public const int DefaultRetentionFull = 2;

    /// <summary>pgBackRest's upper bound for repo1-retention-full and repo1-retention-diff.</summary>
    public const int MaxRetention = 9_999_999;
}

/// <summary>Compression in the repository: type and, optionally, level (null keeps pgBackRest's default for the type).</summary>
public sealed record BackupCompression(CompressType Type, int? Level)
{
    public static readonly BackupCompression Default = new(CompressType.Lz4, null);

    /// <summary>The levels pgBackRest 2.45 accepts for each type (compress-level).</summary>
    public static (int Min, int Max)? LevelRange(CompressType type) => type switch
    {
        CompressType.Gz => (0, 9),
        CompressType.Bz2 => (1, 9),
        CompressType.Lz4 => (-5, 12),
        CompressType.Zst => (-7, 22),
        _ => null,
    };
}

/// <summary>pgBackRest's compress-type values.</summary>
public enum CompressType
{
    None,
    Gz,
    Bz2,
    Lz4,
    Zst,
}
