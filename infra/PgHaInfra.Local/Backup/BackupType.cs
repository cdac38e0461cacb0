namespace PgHaInfra.Local.Backup;

/// <summary>pgBackRest's backup types: a full copy, the changes since the last full, or since the last backup of any type.</summary>
public enum BackupType
{
    Full,
    Diff,
    Incr,
}
