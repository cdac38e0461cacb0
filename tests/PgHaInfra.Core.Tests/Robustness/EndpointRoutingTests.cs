using System.Globalization;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Rendering;

namespace PgHaInfra.Core.Tests.Robustness;

/// <summary>No endpoint routes to a delayed replica: it serves data as old as its delay (8 of 40 reads landed on prod's pg-dr).</summary>
public sealed class EndpointRoutingTests
{
    [Fact]
    public async Task The_prod_endpoints_list_every_node_but_the_delayed_replica()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var addresses = ClusterPlacement.Loopback(spec, "/tmp/pgha-test/replication.pgpass", null).Addresses;

        var endpoints = ClusterEndpoints.For(spec, addresses, "app");

        var dr = addresses["pg-dr"].Port.ToString(CultureInfo.InvariantCulture);
        Assert.All(new[] { endpoints.Write, endpoints.Read, endpoints.WriteLibpq, endpoints.ReadLibpq }, e => Assert.DoesNotContain(dr, e, StringComparison.Ordinal));
        foreach (var node in new[] { "pg-1", "pg-2", "pg-3", "pg-4" })
        {
            Assert.Contains(addresses[node].Port.ToString(CultureInfo.InvariantCulture), endpoints.Read, StringComparison.Ordinal);
        }
    }
}
