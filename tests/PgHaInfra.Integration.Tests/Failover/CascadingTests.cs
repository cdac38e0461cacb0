using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Failover;

/// <summary>A switchover re-points a replica that has a cascading child; the child follows onto the new timeline.</summary>
public sealed class CascadingTests
{
    private const string Template = """
        config:
          pg-ha-infra:topology: cascading
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-3
              port: {PORT2}
              upstream: pg-2
            - name: pg-4
              port: {PORT3}
        """;

    [Fact]
    public async Task Switchover_re_points_the_middle_replica_and_its_cascading_child_keeps_streaming_on_the_new_timeline()
    {
        using var deadline = FailoverHarness.Deadline();
        await using var test = await TestCluster.StartAsync("fo-cascade", Template, cancellationToken: deadline.Token);
        await using var harness = await FailoverHarness.OpenAsync(test, deadline.Token);
        var decision = SwitchoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), "pg-4", force: false);
        Assert.True(decision.Proceed, decision.Reason);
        Assert.Equal(["pg-2"], decision.Plan!.RePoints.Select(r => r.Node));

        var report = await harness.Runner.SwitchoverAsync(decision.Plan, rejoin: true, deadline.Token);

        Assert.True(report.Succeeded, report.Error);
        var timeline = await harness.PrimaryTimelineAsync("pg-4", deadline.Token);
        await harness.QueryAsync<int>("pg-4", "CREATE TABLE after_switchover AS SELECT 1 AS n; SELECT 1", deadline.Token);
        var ports = harness.Spec.Nodes.ToDictionary(n => n.Name, n => n.Port);
        await TestCluster.EventuallyAsync(async () => await harness.ReceiverAsync("pg-2", deadline.Token) == ("streaming", ports["pg-4"], timeline),
            TimeSpan.FromSeconds(10), "pg-2 streams from pg-4 on the new timeline");
        await TestCluster.EventuallyAsync(async () => await harness.ReceiverAsync("pg-3", deadline.Token) == ("streaming", ports["pg-2"], timeline),
            TimeSpan.FromSeconds(10), "pg-3 (cascading) still streams from pg-2, now on the new timeline");
        await TestCluster.EventuallyAsync(async () => await harness.QueryAsync<long>("pg-3", "SELECT count(*) FROM pg_class WHERE relname = 'after_switchover'", deadline.Token) == 1,
            TimeSpan.FromSeconds(10), "a table created on pg-4 reaches the cascading pg-3");
        // pg-2's slot moved from pg-1 to pg-4, and no orphaned slot is left on the rejoined pg-1.
        Assert.Equal(1L, await harness.QueryAsync<long>("pg-4", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_2'", deadline.Token));
        Assert.Equal(0L, await harness.QueryAsync<long>("pg-1", "SELECT count(*) FROM pg_replication_slots", deadline.Token));
        var verify = await harness.VerifyAsync(deadline.Token);
        Assert.True(verify.Passed, verify.Summary);
    }
}
