namespace PgHaInfra.Integration.Tests.Patroni;

/// <summary>Stacks in patroni mode with the fast profile; {PORTn} are free ports (nodes, REST, etcd client and peer, HAProxy).</summary>
public static class PatroniTemplates
{
    /// <summary>A primary and two synchronous replicas (FIRST 1), HAProxy in front: the shape of stacks/Pulumi.local-ha.yaml.</summary>
    public static string Sync(string extra = "") => $$"""
        config:
          pg-ha-infra:cluster: itha
          pg-ha-infra:topology: sync
          pg-ha-infra:primary: pg-1
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-3
              port: {PORT2}
          pg-ha-infra:synchronous:
            method: first
            count: 1
          pg-ha-infra:failover:
            mode: patroni
            profile: fast
            restPort: {PORT3}
            dcs:
              port: {PORT6}
            haproxy:
              writePort: {PORT8}
              readPort: {PORT9}
        {{extra}}
        """;

    public static readonly string Async = """
        config:
          pg-ha-infra:cluster: itasync
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
          pg-ha-infra:failover:
            mode: patroni
            profile: fast
            restPort: {PORT3}
            dcs:
              port: {PORT6}
        """;

    /// <summary>pg-3 streams from pg-2 (Patroni's replicatefrom).</summary>
    public static readonly string Cascading = """
        config:
          pg-ha-infra:cluster: itcascade
          pg-ha-infra:topology: cascading
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-3
              port: {PORT2}
              upstream: pg-2
          pg-ha-infra:failover:
            mode: patroni
            profile: fast
            restPort: {PORT3}
            dcs:
              port: {PORT6}
        """;
}
