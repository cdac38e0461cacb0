namespace PgHaInfra.Local.Failover;

/// <summary>Why pg_rewind failed, as far as it matters for what pgha may do next.</summary>
public enum RewindFailureKind
{
    /// <summary>The source could not be reached or refused the connection: try again later; never a reason to re-clone.</summary>
    Connection,

    /// <summary>pg_rewind cannot rewind this directory (a divergence it cannot follow, WAL already gone): only a re-clone helps.</summary>
    Impossible,

    /// <summary>Anything else (a full disk, a permission): fix the cause; no re-clone.</summary>
    Other,
}

/// <summary>Sorts pg_rewind's error text (PostgreSQL 15's messages) into a <see cref="RewindFailureKind"/>. Pure.</summary>
public static class RewindFailure
{
    private static readonly string[] ConnectionSigns =
    [
        "could not connect to server", "connection to server", "Connection refused", "timeout expired", "password authentication failed",
        "no password supplied", "the database system is", "too many clients", "server closed the connection", "could not translate host name",
    ];

    private static readonly string[] ImpossibleSigns =
    [
        "could not find previous WAL record", "could not find common ancestor", "could not open file", "could not read file",
        "source and target clusters are from different systems", "clusters are not compatible", "needs to use either data checksums or \"wal_log_hints",
        "has already been removed", "invalid record length", "could not find a valid checkpoint",
    ];

    public static RewindFailureKind Classify(string output) =>
        ConnectionSigns.Any(s => output.Contains(s, StringComparison.Ordinal)) ? RewindFailureKind.Connection
        : ImpossibleSigns.Any(s => output.Contains(s, StringComparison.Ordinal)) ? RewindFailureKind.Impossible
        : RewindFailureKind.Other;
}
