namespace PgHaInfra.Pulumi.Containers;

/// <summary>
/// The file the image's entrypoint runs from /docker-entrypoint-initdb.d/ when it initialises the primary: the
/// rendered bootstrap.sql, in a session whose commits do not wait for synchronous standbys. None exists yet (they
/// clone from this very server), and with synchronous_standby_names already rendered, CREATE ROLE would wait forever.
/// </summary>
public static class InitdbBootstrap
{
    /// <summary>The session setting, also given (as PGOPTIONS) to the start script's later runs of bootstrap.sql.</summary>
    public const string LocalCommit = "synchronous_commit=local";

    public static string Content(string bootstrapSql) =>
        "-- Rendered bootstrap.sql, run once by the image's entrypoint when it initialises the primary.\n" +
        "-- Its commits must not wait for synchronous standbys: none can exist before this server does.\n" +
        "SET synchronous_commit = local;\n\n" +
        bootstrapSql;
}
