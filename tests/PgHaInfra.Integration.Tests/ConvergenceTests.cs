using PgHaInfra.Local;

namespace PgHaInfra.Integration.Tests;

/// <summary>`up` converges: nothing to do on a converged cluster, scaling adds and removes replicas and slots, settings reload or restart.</summary>
public sealed class ConvergenceTests
{
    [Fact]
    public async Task Second_up_changes_nothing()
    {
        await using var cluster = await TestCluster.StartAsync("it-idem", StackTemplates.Async(1));

        var plan = await cluster.PlanAsync();
        var again = await cluster.UpAsync();

        Assert.True(plan.IsEmpty, string.Join("\n", plan.Actions.Select(a => a.Reason)));
        Assert.False(again.Changed);
        Assert.Empty(again.Steps);
    }

    [Fact]
    public async Task Scaling_up_adds_a_replica_and_its_slot_and_scaling_down_removes_both()
    {
        await using var cluster = await TestCluster.StartAsync("it-scale", StackTemplates.Async(1), portCount: 3);

        await cluster.WriteStackAsync(StackTemplates.Async(2));
        var grow = await cluster.PlanAsync();
        Assert.Contains(grow.Actions, a => a is CreateNode { Node: "pg-3", Upstream: "pg-1", Rebuild: false });
        await cluster.UpAsync();
        var grown = await cluster.VerifyAsync();
        Assert.True(grown.Passed, grown.Summary);
        Assert.Equal(1L, await cluster.QueryAsync<long>("pg-1", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_3' AND active"));

        await cluster.WriteStackAsync(StackTemplates.Async(1));
        var shrink = await cluster.PlanAsync();
        Assert.Contains(shrink.Actions, a => a is RemoveNode { Node: "pg-3" });
        Assert.Contains(shrink.Actions, a => a is DropSlot { Node: "pg-1", Slot: "pg_3" });
        await cluster.UpAsync();

        Assert.Equal(0L, await cluster.QueryAsync<long>("pg-1", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pg_3'"));
        Assert.False(Directory.Exists(cluster.DataDirectory("pg-3")));
        Assert.False(cluster.State!.HasNode("pg-3"));
        Assert.True((await cluster.VerifyAsync()).Passed);
        Assert.True((await cluster.PlanAsync()).IsEmpty);
    }

    [Fact]
    public async Task A_reloadable_setting_is_reloaded_and_a_postmaster_setting_waits_for_allow_restart()
    {
        await using var cluster = await TestCluster.StartAsync("it-settings", StackTemplates.Async(1));

        await cluster.WriteStackAsync(StackTemplates.Async(1, "  pg-ha-infra:parameters:\n    work_mem: 8MB\n"));
        var reload = await cluster.PlanAsync();
        Assert.All(cluster.Spec.Nodes, n => Assert.Contains(reload.Actions, a => a is ReloadNode r && r.Node == n.Name && r.Changes.Any(c => c.Name == "work_mem" && c.Context == "user")));
        await cluster.UpAsync();
        await TestCluster.EventuallyAsync(async () => await cluster.QueryAsync<string>("pg-1", "SHOW work_mem") == "8MB", TimeSpan.FromSeconds(5), "work_mem reloaded on pg-1");
        await TestCluster.EventuallyAsync(async () => await cluster.QueryAsync<string>("pg-2", "SHOW work_mem") == "8MB", TimeSpan.FromSeconds(5), "work_mem reloaded on pg-2");
        var pid = await cluster.QueryAsync<int>("pg-1", "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'");

        await cluster.WriteStackAsync(StackTemplates.Async(1, "  pg-ha-infra:parameters:\n    work_mem: 8MB\n    max_connections: \"150\"\n"));
        var withoutRestart = await cluster.UpAsync(allowRestart: false);
        Assert.Contains(withoutRestart.Plan.Actions, a => a is RestartNode { Node: "pg-1", Allowed: false });
        Assert.Equal("100", await cluster.QueryAsync<string>("pg-1", "SHOW max_connections"));
        // Still pending on the next plan: pg_settings.pending_restart remembers it.
        Assert.Contains((await cluster.PlanAsync()).Actions, a => a is RestartNode { Node: "pg-1", Allowed: false });

        var withRestart = await cluster.UpAsync(allowRestart: true);
        Assert.Contains(withRestart.Plan.Actions, a => a is RestartNode { Node: "pg-1", Allowed: true });
        Assert.Equal("150", await cluster.QueryAsync<string>("pg-1", "SHOW max_connections"));
        Assert.Equal("150", await cluster.QueryAsync<string>("pg-2", "SHOW max_connections"));
        Assert.NotEqual(pid, await cluster.QueryAsync<int>("pg-1", "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"));
        var report = await cluster.VerifyAsync();
        Assert.True(report.Passed, report.Summary);
        Assert.True((await cluster.PlanAsync()).IsEmpty);
    }
}
