namespace PgHaInfra.Integration.Tests;

/// <summary>Stack templates for tests: {PORTn} placeholders become free ports (see <see cref="TestCluster"/>).</summary>
public static class StackTemplates
{
    /// <summary>A primary and <paramref name="replicas"/> async replicas, plus optional extra stack lines (indented two spaces).</summary>
    public static string Async(int replicas, string extra = "") => $"""
        config:
          pg-ha-infra:topology: {(replicas == 0 ? "single" : "async")}
          pg-ha-infra:nodes:
        {Nodes(replicas + 1)}
        {extra}
        """;

    /// <summary>Priority sync: FIRST 1 (pg-2, pg-3): pg-2 is sync, pg-3 potential.</summary>
    public static string SyncFirst { get; } = """
        config:
          pg-ha-infra:topology: sync
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
            standbys: [pg-2, pg-3]
        """;

    /// <summary><see cref="SyncFirst"/> with synchronous.commit set: on, remote_write or remote_apply.</summary>
    public static string SyncFirstCommitting(string commit) => SyncFirst + $"\n    commit: \"{commit}\"";

    /// <summary>A primary, <paramref name="replicas"/> async replicas and a replica pg-dr that applies WAL <paramref name="delay"/> late.</summary>
    public static string WithDelayed(int replicas, string delay) => $"""
        config:
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
        {Nodes(replicas + 1)}
            - name: pg-dr
              port: {Placeholder(replicas + 1)}
              delay: {delay}
        """;

    /// <summary>A primary, one replica and a delayed replica that applies 3 s late.</summary>
    public static string Delayed { get; } = """
        config:
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-dr
              port: {PORT2}
              delay: 3s
        """;

    /// <summary>pg-3 streams from pg-2, which streams from pg-1.</summary>
    public static string Cascading { get; } = """
        config:
          pg-ha-infra:topology: cascading
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-3
              port: {PORT2}
              upstream: pg-2
        """;

    private static string Nodes(int count) => string.Join('\n', Enumerable.Range(0, count).Select(i => $"    - name: pg-{i + 1}\n      port: {Placeholder(i)}"));

    private static string Placeholder(int port) => $"{{PORT{port}}}";
}
