namespace PgHaInfra.Examples.ReadWrite;

/// <summary>How the example's data source behaves around a switchover or failover.</summary>
/// <param name="HostRecheckSeconds">
/// How long Npgsql trusts what it learned about a host's role. Its default, 10 s, keeps the new primary marked as a
/// standby for up to 10 s after a promotion (writes then fail with "No suitable host was found"); 1 s bounds that.
/// </param>
/// <param name="ConnectTimeoutSeconds">A host that does not answer is skipped after this long.</param>
/// <param name="FailoverWait">How long a failed write waits for a writable primary before its one retry.</param>
/// <param name="ApplicationName">application_name, so the sessions are recognisable in pg_stat_activity.</param>
public sealed record RoutingOptions(int HostRecheckSeconds, int ConnectTimeoutSeconds, TimeSpan FailoverWait, string ApplicationName)
{
    public static RoutingOptions Default { get; } = new(1, 2, TimeSpan.FromSeconds(10), "pgha-example");
}
