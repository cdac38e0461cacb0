using PgHaInfra.Core.Tests.Rendering;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests.Spec;

public sealed class ClusterSpecTests
{
    private static void AssertNoCycle(ClusterSpec spec)
    {
        foreach (var node in spec.Nodes)
        {
            var seen = new HashSet<string> { node.Name };
            for (var up = spec.UpstreamOf(node); up is not null; up = spec.UpstreamOf(up))
            {
                Assert.True(seen.Add(up.Name), $"cycle through {up.Name}");
            }
        }
    }

    [Fact]
    public async Task Prod_depths_and_creation_order_put_every_node_after_its_upstream()
    {
        var spec = await StackFixtures.LoadAsync("prod");

        Assert.Equal([0, 1, 1, 2, 1], spec.Nodes.Select(spec.DepthOf));
        Assert.Equal(["pg-1", "pg-2", "pg-3", "pg-dr", "pg-4"], spec.InCreationOrder().Select(n => n.Name));
        Assert.Equal(["pg-2", "pg-3", "pg-dr"], spec.DownstreamsOf(spec.Node("pg-1")).Select(n => n.Name));
        Assert.Equal(["pg-4"], spec.DownstreamsOf(spec.Node("pg-3")).Select(n => n.Name));
        Assert.Equal(["pg-2", "pg-3"], spec.SynchronousCandidates.Select(n => n.Name));
    }

    [Fact]
    public void Creation_order_of_a_chain_follows_the_chain_whatever_the_file_order()
    {
        var spec = TopologyStacks.Valid("""
            config:
              pg-ha-infra:topology: cascading
              pg-ha-infra:primary: pg-a
              pg-ha-infra:nodes:
                - name: pg-d
                  port: 15435
                  upstream: pg-c
                - name: pg-c
                  port: 15434
                  upstream: pg-b
                - name: pg-b
                  port: 15433
                - name: pg-a
                  port: 15432
            """);

        Assert.Equal(["pg-a", "pg-b", "pg-c", "pg-d"], spec.InCreationOrder().Select(n => n.Name));
        Assert.Equal(3, spec.DepthOf(spec.Node("pg-d")));
    }

    [Fact]
    public async Task Switchover_to_a_sync_standby_makes_the_old_primary_follow_and_swaps_it_into_the_standby_list()
    {
        var spec = await StackFixtures.LoadAsync("prod");

        var moved = spec.WithPrimary("pg-3");

        Assert.Equal("pg-3", moved.Primary);
        Assert.Null(moved.UpstreamOf(moved.Node("pg-3")));
        Assert.Equal("pg-3", moved.UpstreamOf(moved.Node("pg-1"))!.Name);
        Assert.Equal("pg-3", moved.UpstreamOf(moved.Node("pg-4"))!.Name);
        Assert.Equal(["pg-2", "pg-1"], moved.Synchronous!.Standbys.AsEnumerable());
        Assert.Equal(["pg-2", "pg-1"], moved.SynchronousCandidates.Select(n => n.Name));
        AssertNoCycle(moved);
        Assert.Equal(spec.Nodes.Length, moved.InCreationOrder().Count());

        var conf = PostgresConf.Render(moved, ClusterPlacement.DockerNetwork(moved), moved.Node("pg-1"));
        Assert.Contains("host=pg-3.prod.pgha.internal", conf, StringComparison.Ordinal);
        Assert.Contains("ANY 1 (\"pg-2\", \"pg-1\")", PostgresConf.Render(moved, ClusterPlacement.DockerNetwork(moved), moved.Node("pg-3")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switchover_to_a_cascading_replica_re_roots_the_tree_without_a_cycle()
    {
        var spec = await StackFixtures.LoadAsync("prod");

        var moved = spec.WithPrimary("pg-4");

        AssertNoCycle(moved);
        Assert.Null(moved.UpstreamOf(moved.Node("pg-4")));
        Assert.All(moved.Replicas, r => Assert.NotNull(moved.UpstreamOf(r)));
        Assert.Equal("pg-4", moved.UpstreamOf(moved.Node("pg-1"))!.Name);
        Assert.Equal(["pg-2", "pg-3"], moved.Synchronous!.Standbys.AsEnumerable());
        Assert.Same(spec, spec.WithPrimary("pg-1"));
    }

    [Fact]
    public async Task Switching_back_restores_the_original_roles()
    {
        var spec = await StackFixtures.LoadAsync("prod");

        var back = spec.WithPrimary("pg-2").WithPrimary("pg-1");

        Assert.Equal("pg-1", back.Primary);
        Assert.Equal(spec.Synchronous!.Standbys, back.Synchronous!.Standbys.AsEnumerable());
        Assert.Equal(spec.Nodes.Select(n => spec.UpstreamOf(n)?.Name), back.Nodes.Select(n => back.UpstreamOf(n)?.Name));
    }

    [Fact]
    public void A_node_that_named_the_old_primary_follows_the_new_one()
    {
        var spec = TopologyStacks.Valid("""
            config:
              pg-ha-infra:topology: sync
              pg-ha-infra:nodes:
                - name: pg-1
                  port: 15432
                - name: pg-2
                  port: 15433
                  upstream: pg-1
                - name: pg-3
                  port: 15434
                  upstream: pg-1
              pg-ha-infra:synchronous:
                method: first
                count: 1
            """);

        var moved = spec.WithPrimary("pg-2");

        Assert.Equal("pg-2", moved.UpstreamOf(moved.Node("pg-3"))!.Name);
        Assert.All(moved.SynchronousCandidates, n => Assert.Equal("pg-2", moved.UpstreamOf(n)!.Name));
    }

    [Fact]
    public async Task Unknown_node_names_the_cluster_s_nodes()
    {
        var spec = await StackFixtures.LoadAsync("staging");

        var error = Assert.Throws<ArgumentException>(() => spec.WithPrimary("pg-9"));

        Assert.Contains("pg-1, pg-2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slot_names_are_node_names_with_underscores()
    {
        Assert.Equal("pg_dr_2", new NodeSpec("pg-dr-2", 15432).SlotName);
    }
}
