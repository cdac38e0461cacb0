using PgHaInfra.Operations.Drills;
using Xunit.Abstractions;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Failover;

/// <summary>Unplanned failovers after a SIGKILL of the primary's postmaster, and the old primary's rejoin through pg_rewind.</summary>
public sealed class CrashFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Failover_after_sigkill_promotes_the_best_replica_re_points_the_other_and_rejoins_the_old_primary_with_pg_rewind()
    {
        using var deadline = FailoverHarness.Deadline();
        await using var test = await TestCluster.StartAsync("fo-crash", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await using var harness = await FailoverHarness.OpenAsync(test, deadline.Token);
        await harness.QueryAsync<int>("pg-1", "CREATE TABLE before_crash AS SELECT generate_series(1, 1000) AS n; SELECT 1", deadline.Token);
        var timelineBefore = await harness.PrimaryTimelineAsync("pg-1", deadline.Token);

        await harness.Control.CrashAsync(harness.Spec.Node("pg-1"), deadline.Token);
        var decision = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), null, force: false);
        Assert.True(decision.Proceed, decision.Reason);
        var plan = decision.Plan!;
        Assert.StartsWith($"chose {plan.Target}: highest received LSN", plan.Reason, StringComparison.Ordinal);
        var report = await harness.Runner.FailoverAsync(plan, rejoin: false, deadline.Token);

        Assert.True(report.Succeeded, report.Error);
        var other = harness.Spec.Replicas.Single(r => r.Name != plan.Target).Name;
        Assert.False(await harness.QueryAsync<bool>(plan.Target, "SELECT pg_is_in_recovery()", deadline.Token));
        var timelineAfter = await harness.PrimaryTimelineAsync(plan.Target, deadline.Token);
        Assert.True(timelineAfter > timelineBefore, $"timeline {timelineAfter} after promotion, {timelineBefore} before");
        var receiver = await harness.ReceiverAsync(other, deadline.Token);
        Assert.Equal(("streaming", harness.Spec.Node(plan.Target).Port), (receiver.Status, receiver.SenderPort));
        Assert.Equal(1000L, await harness.QueryAsync<long>(plan.Target, "SELECT count(*) FROM before_crash", deadline.Token));
        Assert.True(File.Exists(Path.Combine(test.DataDirectory("pg-1"), "pgha.fenced")), "the old primary is fenced");

        var rejoin = await harness.Runner.RejoinAsync(plan.Next, "pg-1", deadline.Token);

        Assert.True(rejoin.Succeeded, rejoin.Error);
        // A killed primary has WAL of its own after the fork (at least its crash-recovery checkpoint): pg_rewind rewinds it.
        Assert.Equal(RejoinMethod.Rewind, rejoin.Rejoin!.Method);
        Assert.Contains("servers diverged", rejoin.Rejoin.Reason, StringComparison.Ordinal);
        await TestCluster.EventuallyAsync(async () =>
        {
            await harness.QueryAsync<int>(plan.Target, "CREATE TABLE IF NOT EXISTS after_rejoin (n int); SELECT 1", deadline.Token);
            return (await harness.ReceiverAsync("pg-1", deadline.Token)).Timeline == timelineAfter;
        }, TimeSpan.FromSeconds(10), $"pg-1 receives on the new timeline {timelineAfter}");
        Assert.False(File.Exists(Path.Combine(test.DataDirectory("pg-1"), "pgha.fenced")));
        var verify = await harness.VerifyAsync(deadline.Token);
        Assert.True(verify.Passed, verify.Summary);
    }

    [Fact]
    public async Task Failover_in_the_sync_topology_loses_no_acknowledged_commit()
    {
        using var deadline = FailoverHarness.Deadline();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var test = await TestCluster.StartAsync("fo-sync", StackTemplates.SyncFirst, cancellationToken: deadline.Token);
        output.WriteLine($"up at {clock.Elapsed}");
        await using var harness = await FailoverHarness.OpenAsync(test, deadline.Token);
        await using var writer = harness.Writer("sync-failover");
        await writer.PrepareAsync(deadline.Token);
        writer.Start();
        await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token);

        output.WriteLine($"writing at {clock.Elapsed}");
        await harness.Control.CrashAsync(harness.Spec.Node("pg-1"), deadline.Token);
        output.WriteLine($"crashed at {clock.Elapsed}");
        var decision = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), null, force: false);
        output.WriteLine($"planned at {clock.Elapsed}");
        Assert.True(decision.Proceed, decision.Reason);
        var report = await harness.Runner.FailoverAsync(decision.Plan!, rejoin: false, deadline.Token);
        Assert.True(report.Succeeded, report.Error);
        foreach (var step in report.Steps)
        {
            output.WriteLine($"{step.Step} {step.Node} {step.Elapsed.TotalMilliseconds:0} ms: {step.Detail}");
        }

        await TestCluster.EventuallyAsync(() => Task.FromResult(writer.Records.Any(r => r.Acknowledged && r.Node == report.NewPrimary)),
            TimeSpan.FromSeconds(10), $"writes acknowledged by the new primary {report.NewPrimary}");
        output.WriteLine($"new primary writes at {clock.Elapsed}");
        await writer.StopAsync();
        output.WriteLine($"writer stopped at {clock.Elapsed}");

        var acknowledged = writer.Records.Count(r => r.Acknowledged);
        output.WriteLine($"{acknowledged} acknowledged, {writer.Records.Count(r => !r.Acknowledged)} failed; last failures: {string.Join(" | ", writer.Records.Where(r => !r.Acknowledged).TakeLast(3).Select(r => r.Error))}");
        var missing = await writer.MissingOnAsync(harness.Access.DataSource(report.NewPrimary), deadline.Token);
        Assert.True(acknowledged > 10, $"only {acknowledged} writes acknowledged");
        Assert.Empty(missing);
        // The new primary's synchronous_standby_names came from rendering: the old primary took its place in the list.
        Assert.Contains("pg-1", await harness.QueryAsync<string>(report.NewPrimary, "SHOW synchronous_standby_names", deadline.Token), StringComparison.Ordinal);

        // Without `pgha rejoin`, the next `up` brings the fenced old primary back through pg_rewind and keeps the new primary.
        await test.OpenAsync(deadline.Token);
        var up = await test.UpAsync(cancellationToken: deadline.Token);
        Assert.Contains(up.Steps, s => s.Node == "pg-1" && s.Step == "rejoin (fenced)");
        Assert.False(await test.QueryAsync<bool>(report.NewPrimary, "SELECT pg_is_in_recovery()", deadline.Token));
        var verify = await test.VerifyAsync(cancellationToken: deadline.Token);
        Assert.True(verify.Passed, verify.Summary);
    }
}
