using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using Xunit.Abstractions;

namespace PgHaInfra.Integration.Tests.Patroni;

/// <summary>Patroni bootstraps async and cascading stacks from the spec, and the same post-deploy check passes.</summary>
public sealed class PatroniBootstrapTests(ITestOutputHelper output)
{
    /// <summary>One async cluster for both claims: a second bootstrap would cost CI 20 s.</summary>
    [Fact]
    public async Task Async_stack_bootstraps_with_the_stack_primary_as_leader_and_a_node_loss_drill_measures_its_rpo()
    {
        await using var cluster = await PatroniTestCluster.StartAsync("itpasync", PatroniTemplates.Async);

        var view = await cluster.ViewAsync();
        Assert.Equal("pg-1", view.Leader?.Name);
        Assert.DoesNotContain(view.Members, m => m.IsSynchronous);
        Assert.Equal("", await cluster.QueryAsync<string>("pg-1", "SHOW synchronous_standby_names"));
        // The settings come from PostgresConf: pg_rewind's prerequisite and pgha's retry interval.
        Assert.Equal("on", await cluster.QueryAsync<string>("pg-2", "SHOW wal_log_hints"));
        Assert.Equal("1s", await cluster.QueryAsync<string>("pg-2", "SHOW wal_retrieve_retry_interval"));
        // A second up changes nothing.
        var again = await cluster.UpAsync();
        Assert.False(again.Changed, string.Join("; ", again.Started.Concat(again.Applied.Select(a => a.Reason))));

        // Node loss without synchronous replication: whatever the lost primary acknowledged but had not yet sent is
        // gone, and the drill says how much, in commits and in WAL bytes past the new timeline's start.
        var report = await PatroniDrill.RunAsync(cluster.Cluster, PatroniDrillKind.NodeLoss, async _ =>
        {
            var verify = await cluster.VerifyAsync();
            return (verify.Passed, verify.Summary);
        }, SilentProgress.Instance, CancellationToken.None);
        output.WriteLine($"async node loss {report.OldLeader} -> {report.NewLeader}: RTO {report.Rto:0.00} s; lost {report.Lost} of {report.Acknowledged} acknowledged commits, " +
            $"{report.LostBytes} WAL bytes ({report.OldLastLsn} -> {report.SwitchLsn}); rejoined after {report.RejoinSeconds:0.0} s");
        Assert.False(report.Synchronous);
        Assert.Equal("pg-2", report.NewLeader);
        Assert.NotNull(report.SwitchLsn);
        Assert.NotNull(report.LostBytes);
        // The byte count is a lower bound: it starts at the direct probe's last commit, and the endpoint writer's last
        // acknowledged commit can lie after it (measured here once: 1 commit lost, 0 bytes).
        Assert.True(report.LostBytes >= 0, $"{report.LostBytes} bytes");
        Assert.True(report.Passed, $"split brain {report.SplitBrainWindow} s, verified {report.Verified}: {report.VerifySummary}");
        Assert.NotNull(report.RejoinSeconds);
    }

    [Fact]
    public async Task Cascading_stack_streams_pg_3_from_pg_2_through_replicatefrom()
    {
        await using var cluster = await PatroniTestCluster.StartAsync("itpcascade", PatroniTemplates.Cascading);

        var pg2Port = cluster.Cluster.Addresses["pg-2"].Port;
        Assert.Equal(pg2Port, await cluster.QueryAsync<int>("pg-3", "SELECT sender_port FROM pg_stat_wal_receiver"));
        Assert.Equal("pg_3", await cluster.QueryAsync<string>("pg-3", "SELECT slot_name FROM pg_stat_wal_receiver"));
        Assert.Equal(1L, await cluster.QueryAsync<long>("pg-2", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_3' AND active"));
    }
}
