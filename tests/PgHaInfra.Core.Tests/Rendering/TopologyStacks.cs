using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Rendering;

/// <summary>One small valid stack per topology, for rendering tests.</summary>
internal static class TopologyStacks
{
    public const string Single = """
        config:
          pg-ha-infra:cluster: solo
          pg-ha-infra:topology: single
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
        """;

    public const string Async = """
        config:
          pg-ha-infra:cluster: shop
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
        """;

    public const string SyncFirst = """
        config:
          pg-ha-infra:cluster: bank
          pg-ha-infra:topology: sync
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
            - name: pg-4
              port: 15435
          pg-ha-infra:synchronous:
            method: first
            count: 2
            standbys: [pg-3, pg-2, pg-4]
            commit: remote_apply
        """;

    public const string SyncAny = """
        config:
          pg-ha-infra:cluster: ledger
          pg-ha-infra:topology: sync
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
            - name: pg-dr
              port: 15435
              delay: 30min
          pg-ha-infra:synchronous:
            method: any
            count: 1
        """;

    public const string Cascading = """
        config:
          pg-ha-infra:cluster: feed
          pg-ha-infra:topology: cascading
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-3
              port: 15434
              upstream: pg-2
            - name: pg-4
              port: 15435
              upstream: pg-3
        """;

    public const string Delayed = """
        config:
          pg-ha-infra:cluster: archive
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: 15432
            - name: pg-2
              port: 15433
            - name: pg-dr
              port: 15434
              delay: 1h
        """;

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["single"] = Single,
        ["async"] = Async,
        ["sync-first"] = SyncFirst,
        ["sync-any"] = SyncAny,
        ["cascading"] = Cascading,
        ["delayed"] = Delayed,
    };

    public static ClusterSpec Load(string name) => Valid(All[name], name);

    public static ClusterSpec Valid(string yaml, string stack = "test")
    {
        var (spec, errors) = StackFixtures.Parse(yaml, stack);
        Assert.True(errors.IsEmpty, string.Join("\n", errors));
        return spec!;
    }
}
