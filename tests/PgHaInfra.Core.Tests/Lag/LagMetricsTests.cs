using System.Text;
using PgHaInfra.Cli.Commands.Metrics;
using PgHaInfra.Operations.Lag;
using static PgHaInfra.Core.Tests.Lag.LagObservations;

namespace PgHaInfra.Core.Tests.Lag;

public class LagMetricsTests
{
    private static async Task<string> ExposeAsync(LagMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task A_report_becomes_pgha_families_with_cluster_replica_and_upstream_labels()
    {
        var metrics = new LagMetrics();
        metrics.Update(Assess(
            Primary(Sender("pg-2", replayBehind: 2 * MB), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", replayBehind: 2 * MB, sinceCommit: TimeSpan.FromMilliseconds(250), paused: true)));

        var text = await ExposeAsync(metrics);

        Assert.Contains("# TYPE pgha_replica_lag_bytes gauge", text);
        Assert.Contains("pgha_replica_lag_bytes{cluster=\"lagtest\",replica=\"pg-2\",upstream=\"pg-1\",stage=\"replay\"} 2097152", text);
        Assert.Contains("pgha_replica_behind_primary_bytes{cluster=\"lagtest\",replica=\"pg-4\",upstream=\"pg-3\"} 0", text);
        Assert.Contains("pgha_replica_lag_seconds{cluster=\"lagtest\",replica=\"pg-2\",upstream=\"pg-1\"} 0.25", text);
        Assert.Contains("pgha_replica_streaming{cluster=\"lagtest\",replica=\"pg-2\",upstream=\"pg-1\"} 1", text);
        Assert.Contains("pgha_replica_replay_paused{cluster=\"lagtest\",replica=\"pg-2\",upstream=\"pg-1\"} 1", text);
        Assert.Contains("pgha_replica_lag_level{cluster=\"lagtest\",replica=\"pg-2\",upstream=\"pg-1\"} 1", text);
        Assert.Contains("pgha_slot_retained_bytes{cluster=\"lagtest\",slot=\"pg_2\",node=\"pg-1\"} 0", text);
        Assert.Contains("pgha_lag_critical_bytes{cluster=\"lagtest\"} 4194304", text);
        Assert.Contains("pgha_lag_warning_seconds{cluster=\"lagtest\"} 2", text);
        Assert.Contains("pgha_lag_level{cluster=\"lagtest\"} 1", text);
        Assert.Contains("pgha_scrape_success{cluster=\"lagtest\"} 1", text);
        Assert.DoesNotContain("process_", text);
        Assert.DoesNotContain("dotnet_", text);
    }

    [Fact]
    public async Task Unknown_values_and_vanished_series_leave_the_exposition()
    {
        var metrics = new LagMetrics();
        metrics.Update(Assess());
        Assert.Contains("pgha_replica_behind_primary_bytes{cluster=\"lagtest\",replica=\"pg-2\"", await ExposeAsync(metrics));

        metrics.Update(Assess(Down("pg-1")));
        var text = await ExposeAsync(metrics);

        Assert.DoesNotContain("pgha_replica_behind_primary_bytes{cluster=\"lagtest\",replica=\"pg-2\"", text);
        Assert.DoesNotContain("pgha_slot_retained_bytes{cluster=\"lagtest\",slot=\"pg_2\",node=\"pg-1\"}", text);
        Assert.Contains("pgha_node_up{cluster=\"lagtest\",node=\"pg-1\"} 0", text);
        Assert.Contains("pgha_scrape_success{cluster=\"lagtest\"} 0", text);
        Assert.Contains("pgha_lag_level{cluster=\"lagtest\"} 3", text);
    }
}
