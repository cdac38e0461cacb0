using PgHaInfra.Local;
using PgHaInfra.Operations.Verification;

namespace PgHaInfra.Integration.Tests;

/// <summary>Every stack in stacks/ comes up verified, and each topology streams the way it should.</summary>
public sealed class TopologyTests
{
    private static CheckResult Check(VerificationReport report, string node, string check) =>
        Assert.Single(report.Results, r => r.Node == node && r.Check == check);

    [Theory]
    [InlineData("local", 3)]
    [InlineData("dev", 1)]
    [InlineData("staging", 2)]
    public async Task Repository_stack_comes_up_verified(string stack, int nodes)
    {
        await using var cluster = await TestCluster.FromRepositoryStackAsync(stack);

        var report = await cluster.VerifyAsync();

        Assert.True(report.Passed, report.Summary);
        Assert.Equal(nodes, cluster.Spec.Nodes.Length);
        foreach (var replica in cluster.Spec.Replicas)
        {
            Assert.Equal("async", Check(report, replica.Name, "sync_state").Observed);
            Assert.True(Check(report, replica.Name, "canary").Passed);
        }

        Assert.False(await cluster.QueryAsync<bool>(cluster.Spec.Primary, "SELECT pg_is_in_recovery()"));
    }

    [Fact]
    public async Task Prod_streams_with_quorum_sync_a_cascading_replica_and_a_delayed_one()
    {
        await using var cluster = await TestCluster.FromRepositoryStackAsync("prod", up: false);
        using var timeout = new CancellationTokenSource(TestCluster.DefaultTimeout);
        var options = new StreamingCheckOptions(TimeSpan.FromSeconds(20));

        // As `pgha up` runs it: the engine's up, then the whole post-deploy check.
        await LocalEngine.UpAsync(cluster.Cluster, allowRestart: false, SilentProgress.Instance, timeout.Token);
        var report = await StreamingCheck.RunAsync(cluster.Access, options, timeout.Token);

        Assert.True(report.Passed, report.Summary);
        Assert.Equal("quorum", Check(report, "pg-2", "sync_state").Observed);
        Assert.Equal("quorum", Check(report, "pg-3", "sync_state").Observed);
        Assert.Equal("async", Check(report, "pg-4", "sync_state").Observed);
        Assert.Equal("async", Check(report, "pg-dr", "sync_state").Observed);
        // pg-4 cascades: its WAL receiver streams from pg-3's port, and pg-3 (not pg-1) has its walsender.
        var pg3Port = cluster.Spec.Node("pg-3").Port;
        Assert.Contains($"127.0.0.1:{pg3Port} on slot pg_4", Check(report, "pg-4", "wal_receiver").Observed, StringComparison.Ordinal);
        Assert.Equal(1L, await cluster.QueryAsync<long>("pg-3", "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg-4'"));
        Assert.Equal(0L, await cluster.QueryAsync<long>("pg-1", "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg-4'"));
        // The one-hour delayed replica is checked for WAL arriving, not for the canary it will apply an hour late.
        Assert.True(Check(report, "pg-dr", "wal_received").Passed);
        Assert.DoesNotContain(report.Results, r => r.Node == "pg-dr" && r.Check == "canary");
        Assert.Equal("ANY 1 (\"pg-2\", \"pg-3\")", await cluster.QueryAsync<string>("pg-1", "SHOW synchronous_standby_names"));
    }

    [Fact]
    public async Task Priority_sync_makes_the_first_standby_sync_and_the_next_potential()
    {
        await using var cluster = await TestCluster.StartAsync("it-first", StackTemplates.SyncFirst);

        var report = await cluster.VerifyAsync();

        Assert.True(report.Passed, report.Summary);
        Assert.Equal("sync", Check(report, "pg-2", "sync_state").Observed);
        Assert.Equal("potential", Check(report, "pg-3", "sync_state").Observed);
    }

    [Fact]
    public async Task Cascading_replica_streams_from_its_upstream_replica()
    {
        await using var cluster = await TestCluster.StartAsync("it-cascade", StackTemplates.Cascading);

        var pg2Port = cluster.Spec.Node("pg-2").Port;
        Assert.Equal(pg2Port, await cluster.QueryAsync<int>("pg-3", "SELECT sender_port FROM pg_stat_wal_receiver"));
        Assert.Equal("pg_3", await cluster.QueryAsync<string>("pg-3", "SELECT slot_name FROM pg_stat_wal_receiver"));
        Assert.Equal(1L, await cluster.QueryAsync<long>("pg-2", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_3' AND active"));
        Assert.Equal(0L, await cluster.QueryAsync<long>("pg-1", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_3'"));
    }

    [Fact]
    public async Task Delayed_replica_applies_late()
    {
        await using var cluster = await TestCluster.StartAsync("it-delay", StackTemplates.Delayed);
        await using (var create = cluster.Access.DataSource("pg-1").CreateCommand("CREATE TABLE delayed_probe (written timestamptz NOT NULL DEFAULT clock_timestamp())"))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var insert = cluster.Access.DataSource("pg-1").CreateCommand("INSERT INTO delayed_probe DEFAULT VALUES"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var written = DateTime.UtcNow;
        // The undelayed replica has it at once; the delayed one only after its 3 s delay.
        await TestCluster.EventuallyAsync(async () => await cluster.QueryAsync<long>("pg-2", "SELECT count(*) FROM pg_class WHERE relname = 'delayed_probe'") == 1,
            TimeSpan.FromSeconds(5), "pg-2 replays the table at once");
        await Task.Delay(1000);
        Assert.Equal(0L, await cluster.QueryAsync<long>("pg-dr", "SELECT count(*) FROM pg_class WHERE relname = 'delayed_probe'"));
        await TestCluster.EventuallyAsync(async () => await cluster.QueryAsync<long>("pg-dr", "SELECT count(*) FROM pg_class WHERE relname = 'delayed_probe'") == 1,
            TimeSpan.FromSeconds(15), "pg-dr applies the table after its delay");
        var appliedAfter = DateTime.UtcNow - written;
        Assert.True(appliedAfter >= TimeSpan.FromSeconds(2.5), $"pg-dr applied after {appliedAfter.TotalSeconds:0.00} s, before its 3 s delay");
    }
}
