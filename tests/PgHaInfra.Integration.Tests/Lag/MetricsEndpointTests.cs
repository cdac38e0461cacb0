using PgHaInfra.Cli.Commands.Metrics;
using PgHaInfra.Operations.Lag;

namespace PgHaInfra.Integration.Tests.Lag;

/// <summary>`pgha metrics`' endpoint, scraped over HTTP from a real cluster and read as strict exposition format.</summary>
[Collection(LagCluster.Collection)]
public sealed class MetricsEndpointTests(LagCluster fixture)
{
    [Fact]
    public async Task The_endpoint_serves_valid_exposition_with_fresh_values_on_each_scrape()
    {
        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
        var port = PortBlock.Allocate(1)[0];
        await using var probe = new LagProbe(fixture.Cluster.Access);
        await using var server = new LagMetricsServer(probe, "127.0.0.1", port);
        server.Start();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        using var response = await http.GetAsync(server.Url);
        Assert.True(response.IsSuccessStatusCode, $"GET {server.Url}: {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var families = PrometheusExposition.Parse(await response.Content.ReadAsStringAsync());

        Assert.All(families.Keys, name => Assert.StartsWith("pgha_", name));
        Assert.All(families.Values, f => Assert.False(string.IsNullOrWhiteSpace(f.Help), $"{f.Name} has no HELP"));
        var streaming = families["pgha_replica_streaming"].Samples;
        Assert.Equal(["pg-2", "pg-3", "pg-4"], streaming.Select(s => s.Labels["replica"]).Order());
        Assert.All(streaming, s => Assert.Equal(1, s.Value));
        Assert.Equal("pg-3", streaming.Single(s => s.Labels["replica"] == "pg-4").Labels["upstream"]);
        Assert.All(streaming, s => Assert.Equal(fixture.Cluster.Spec.Name, s.Labels["cluster"]));
        Assert.Equal(4, families["pgha_replica_lag_bytes"].Samples.Count(s => s.Labels["replica"] == "pg-2"));
        Assert.Equal(["flush", "replay", "sent", "write"], families["pgha_replica_lag_bytes"].Samples.Where(s => s.Labels["replica"] == "pg-2").Select(s => s.Labels["stage"]).Order());
        Assert.Equal(4 << 20, families["pgha_lag_critical_bytes"].Samples.Single().Value);
        Assert.Equal(2, families["pgha_lag_warning_seconds"].Samples.Single().Value);
        Assert.Equal(1, families["pgha_scrape_success"].Samples.Single().Value);
        Assert.Equal(0, families["pgha_lag_level"].Samples.Single().Value);
        Assert.Equal(["pg_2", "pg_3", "pg_4"], families["pgha_slot_retained_bytes"].Samples.Select(s => s.Labels["slot"]).Order());

        // Each scrape probes again: with pg-4's replay paused and WAL written, the next scrape shows it.
        await fixture.Cluster.QueryAsync<string>("pg-4", "SELECT pg_wal_replay_pause()::text");
        try
        {
            await fixture.WriteAsync(2000);
            double behind = 0;
            await TestCluster.EventuallyAsync(async () =>
            {
                var again = PrometheusExposition.Parse(await http.GetStringAsync(server.Url));
                behind = again["pgha_replica_behind_primary_bytes"].Samples.Single(s => s.Labels["replica"] == "pg-4").Value;
                return behind > 1 << 20 && again["pgha_replica_replay_paused"].Samples.Single(s => s.Labels["replica"] == "pg-4").Value == 1;
            }, TimeSpan.FromSeconds(10), "a later scrape shows pg-4 more than 1 MB behind with replay paused");
        }
        finally
        {
            await fixture.Cluster.QueryAsync<string>("pg-4", "SELECT pg_wal_replay_resume()::text");
        }

        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void The_reader_rejects_what_prometheus_would()
    {
        Assert.Throws<FormatException>(() => PrometheusExposition.Parse("pgha_x 1\n"));
        Assert.Throws<FormatException>(() => PrometheusExposition.Parse("# TYPE pgha_x gauge\npgha_x{a=\"b\\q\"} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusExposition.Parse("# TYPE pgha_x gauge\npgha_x{a=\"b\"} one\n"));
        Assert.Throws<FormatException>(() => PrometheusExposition.Parse("# TYPE pgha_x gauge\n# TYPE pgha_x gauge\n"));
        var ok = PrometheusExposition.Parse("# HELP pgha_x a help\n# TYPE pgha_x gauge\npgha_x{a=\"q\\\"uote\\\\ and \\n\"} NaN\n");
        Assert.Equal("q\"uote\\ and \n", ok["pgha_x"].Samples.Single().Labels["a"]);
    }
}
