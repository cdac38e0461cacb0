using PgHaInfra.Examples.ReadWrite;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Applications;

/// <summary>The example application on a local cluster: writes on the primary, reads spread over the replicas, never the delayed one.</summary>
public sealed class ReadWriteRoutingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Writes_land_on_the_primary_and_reads_spread_over_the_replicas_and_never_reach_the_delayed_one()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = deadline.Token;
        await using var test = await TestCluster.StartAsync("app-routing", StackTemplates.WithDelayed(2, "1h"), cancellationToken: ct);
        var access = test.Access;
        await using var database = AppConnection.Open(access);
        var store = new OrderStore(database);
        await store.CreateSchemaAsync(ct);

        var written = new List<WriteResult>();
        for (var i = 0; i < 20; i++)
        {
            written.Add(await store.PlaceOrderAsync(Guid.NewGuid(), "routing", i + 1, ct));
        }

        Assert.All(written, w => Assert.Equal(("pg-1", 1), (w.Node, w.Attempts)));

        // The streaming replicas replay the last write at once; pg-dr holds it for an hour.
        var lsn = await test.QueryAsync<string>("pg-1", "SELECT pg_current_wal_lsn()::text", ct);
        foreach (var replica in new[] { "pg-2", "pg-3" })
        {
            await TestCluster.EventuallyAsync(() => test.QueryAsync<bool>(replica, $"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn", ct),
                TimeSpan.FromSeconds(10), $"{replica} replays {lsn}");
        }

        const int reads = 90;
        var perNode = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < reads; i++)
        {
            var read = await store.GetOrderAsync(written[i % written.Count].Key, ct);
            perNode[read.Node] = perNode.GetValueOrDefault(read.Node) + 1;
            // A read on pg-dr would not find it: the table itself is an hour away there.
            Assert.True(read.Found, $"read {i} on {read.Node} did not see an order written before it");
        }

        output.WriteLine($"reads per node ({reads}): " + string.Join(", ", perNode.Select(p => $"{p.Key} {p.Value}")));
        Assert.Equal(["pg-2", "pg-3"], perNode.Keys);
        Assert.All(perNode.Values, count => Assert.InRange(count, reads / 4, reads));
        Assert.True(await test.QueryAsync<bool>("pg-dr", $"SELECT to_regclass('{OrderStore.Table}') IS NULL", ct), "pg-dr is an hour behind, by design");
        Assert.DoesNotContain(AppConnection.HostPort(access, "pg-dr"), AppConnection.EndpointsFor(access).Read, StringComparison.Ordinal);
    }
}
