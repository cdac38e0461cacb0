using PgHaInfra.Operations.Lag;

namespace PgHaInfra.Integration.Tests.Lag;

/// <summary>
/// One real cluster shared by the lag tests: pg-1 primary, pg-2 and pg-3 streaming from it, pg-4 cascading from pg-3,
/// with LOW thresholds (1MB/4MB, 2s/4s) so lag crosses them in seconds. Each test leaves it healthy again.
/// </summary>
public sealed class LagCluster : IAsyncLifetime
{
    /// <summary>The lag test classes share one cluster: on 2 cores, one `up` instead of three.</summary>
    public const string Collection = "lag cluster";

    public const string Template = """
        config:
          pg-ha-infra:topology: cascading
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-3
              port: {PORT2}
            - name: pg-4
              port: {PORT3}
              upstream: pg-3
          pg-ha-infra:lag:
            warningBytes: 1MB
            criticalBytes: 4MB
            warningTime: 2s
            criticalTime: 4s
        """;

    private TestCluster? cluster;

    public TestCluster Cluster => cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        cluster = await TestCluster.StartAsync("lag", Template);
        await cluster.QueryAsync<int>("pg-1", "CREATE TABLE lag_filler (id bigserial PRIMARY KEY, pad text); SELECT 1");
    }

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    public async Task<LagReport> AssessAsync()
    {
        await using var probe = new LagProbe(Cluster.Access);
        return await probe.AssessAsync(CancellationToken.None);
    }

    /// <summary>About <paramref name="kilobytes"/> kB of WAL on the primary (rows of 1 kB of incompressible-enough text).</summary>
    public Task WriteAsync(int kilobytes) =>
        Cluster.QueryAsync<int>("pg-1", $"INSERT INTO lag_filler (pad) SELECT md5(g::text) || repeat(md5(random()::text), 30) FROM generate_series(1, {kilobytes}) g; SELECT 1");

    /// <summary>Waits until the whole cluster is ok again (after a test paused, stopped or wrote).</summary>
    public async Task WaitUntilOkAsync(TimeSpan deadline)
    {
        LagReport? last = null;
        await TestCluster.EventuallyAsync(async () => (last = await AssessAsync()).Level == LagLevel.Ok, deadline,
            $"the cluster is ok again (last: {last?.Level} {last?.Reason})");
    }
}

[CollectionDefinition(LagCluster.Collection)]
public sealed class LagClusterSharing : ICollectionFixture<LagCluster>;
