namespace PgHaInfra.Core.Tests.Patroni;

/// <summary>Small stacks in patroni mode; {FAILOVER} and {SYNC} are replaced per test.</summary>
internal static class PatroniStacks
{
    public const string Sync = """
        config:
          pg-ha-infra:cluster: ha
          pg-ha-infra:topology: sync
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
          pg-ha-infra:synchronous:
            method: {METHOD}
            count: 1
          pg-ha-infra:failover:
            mode: patroni
        {FAILOVER}
        """;

    public const string Cascading = """
        config:
          pg-ha-infra:cluster: tree
          pg-ha-infra:topology: cascading
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
              upstream: pg-2
            - name: pg-dr
              port: 15435
              delay: 1h
          pg-ha-infra:failover:
            mode: patroni
            restPort: 16000
            dcs:
              port: 16100
            haproxy:
              writePort: 16200
              readPort: 16201
        """;

    public const string Ports = "    restPort: 16000\n    dcs:\n      port: 16100\n";

    public static string SyncWith(string failoverLines, string method = "first") =>
        Sync.Replace("{METHOD}", method, StringComparison.Ordinal).Replace("{FAILOVER}", failoverLines.TrimEnd(), StringComparison.Ordinal);
}
