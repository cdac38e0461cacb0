namespace PgHaInfra.Integration.Tests.Patroni;

/// <summary>Patroni bootstraps async and cascading stacks from the spec, and the same post-deploy check passes.</summary>
public sealed class PatroniBootstrapTests
{
    [Fact]
    public async Task Async_stack_bootstraps_with_the_stack_primary_as_leader_and_verifies()
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
