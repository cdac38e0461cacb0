using System.Globalization;
using System.Text.Json.Nodes;
using PgHaInfra.Local;
using PgHaInfra.Operations.Endpoints;

namespace PgHaInfra.Integration.Tests.Robustness;

/// <summary>
/// The prod stack (quorum sync, pg-4 cascading from pg-3, pg-dr one hour late): both drills complete through the
/// built `pgha`, the delayed replica is re-pointed and reported as waiting out its delay with its slot keeping WAL
/// (it starts no WAL receiver while it waits, note 17), `up` after them neither heals nor rebuilds it, and no
/// endpoint lists it.
/// </summary>
public sealed class ProdStackTests
{
    [Fact]
    public async Task Switchover_and_failover_drills_complete_on_the_prod_stack_and_the_delayed_replica_waits_re_pointed()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        await using var test = await TestCluster.FromRepositoryStackAsync("prod", cancellationToken: deadline.Token);
        var dr = test.Spec.Node("pg-dr");
        var endpoints = ClusterEndpoints.For(test.Spec, test.Cluster.Addresses, "app");
        var drPort = dr.Port.ToString(CultureInfo.InvariantCulture);
        Assert.All(new[] { endpoints.Write, endpoints.Read, endpoints.WriteLibpq, endpoints.ReadLibpq }, e => Assert.DoesNotContain(drPort, e, StringComparison.Ordinal));

        foreach (var kind in new[] { "switchover", "failover" })
        {
            var before = test.Spec.Primary;
            var reports = Path.Combine(test.Root, $"drill-{kind}");
            var drill = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(120), "drill", "--kind", kind, "--out", reports);
            Assert.True(drill.ExitCode == 0, $"{kind}: {drill.Stdout}\n{drill.Stderr}");
            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "report.json"), deadline.Token))!;
            Assert.True((bool)json["passed"]!, json.ToJsonString());
            Assert.Equal(0, (int)json["rpo"]!["missingAcknowledgedCommits"]!);
            var text = json.ToJsonString();
            Assert.Contains("pg-dr is re-pointed to", text, StringComparison.Ordinal);
            Assert.Contains("waits out its 1h apply delay", text, StringComparison.Ordinal);

            await test.OpenAsync(deadline.Token);
            var primary = test.Spec.Primary;
            Assert.NotEqual(before, primary);
            var conninfo = await test.QueryAsync<string>("pg-dr", "SELECT current_setting('primary_conninfo')", deadline.Token);
            Assert.Contains($"port={test.Spec.Node(test.Spec.UpstreamOf(dr)!.Name).Port}", conninfo.Replace("'", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Equal(primary, test.Spec.UpstreamOf(dr)!.Name);
            var walStatus = await test.QueryAsync<string>(primary, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'pg_dr' AND restart_lsn IS NOT NULL", deadline.Token);
            Assert.Equal("reserved", walStatus);
        }

        // up after both: the waiting delayed replica is neither healed nor rebuilt, and the cluster verifies.
        var plan = await test.PlanAsync(cancellationToken: deadline.Token);
        Assert.DoesNotContain(plan.Actions, a => a.Node == "pg-dr");
        var up = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(90), "up");
        Assert.True(up.ExitCode == 0, up.Stdout + up.Stderr);
        Assert.Contains("delay_wait", (await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "verify")).Stdout, StringComparison.Ordinal);
        await test.OpenAsync(deadline.Token);
        var after = ClusterEndpoints.For(test.Spec, test.Cluster.Addresses, "app");
        Assert.DoesNotContain(drPort, after.Read, StringComparison.Ordinal);
    }
}
