namespace PgHaInfra.Pulumi.Containers;

/// <summary>
/// The file the image's entrypoint runs from /docker-entrypoint-initdb.d/ when it initialises the primary: the
/// rendered bootstrap.sql, which itself starts with BootstrapSql.SessionSettings so its commits wait for no standby.
/// </summary>
public static class InitdbBootstrap
{
    public static string Content(string bootstrapSql) =>
        "-- Rendered bootstrap.sql, run once by the image's entrypoint when it initialises the primary.\n" + bootstrapSql;
}
