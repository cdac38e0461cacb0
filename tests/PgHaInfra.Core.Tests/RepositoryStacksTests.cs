using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Core.Tests;

public sealed class RepositoryStacksTests
{
    [Theory]
    [InlineData("local", Topology.Async, 3)]
    [InlineData("dev", Topology.Single, 1)]
    [InlineData("staging", Topology.Async, 2)]
    [InlineData("prod", Topology.Sync, 5)]
    public async Task Every_shipped_stack_loads_with_its_topology(string stack, Topology topology, int nodes)
    {
        var spec = await StackFixtures.LoadAsync(stack);

        Assert.Equal(topology, spec.Topology);
        Assert.Equal(nodes, spec.Nodes.Length);
    }

    [Fact]
    public async Task Prod_renders_quorum_sync_cascading_and_delay()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var placement = ClusterPlacement.DockerNetwork(spec);

        var primary = PostgresConf.Render(spec, placement, spec.Node("pg-1"));
        var cascading = PostgresConf.Render(spec, placement, spec.Node("pg-4"));
        var delayed = PostgresConf.Render(spec, placement, spec.Node("pg-dr"));

        Assert.Contains("synchronous_standby_names = 'ANY 1 (\"pg-2\", \"pg-3\")'", primary, StringComparison.Ordinal);
        Assert.Contains("host=pg-3.prod.pgha.internal", cascading, StringComparison.Ordinal);
        Assert.Contains("recovery_min_apply_delay = '1h'", delayed, StringComparison.Ordinal);
        Assert.DoesNotContain("synchronous_standby_names", delayed, StringComparison.Ordinal);
    }
}
