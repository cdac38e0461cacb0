using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Failover;

/// <summary>A planned switchover under continuous writes, as `pgha drill --kind switchover` runs it, and what `up` does after.</summary>
public sealed class SwitchoverTests
{
    [Fact]
    public async Task Switchover_drill_under_continuous_writes_loses_no_acknowledged_commit_and_up_keeps_the_new_primary()
    {
        using var deadline = FailoverHarness.Deadline();
        await using var test = await TestCluster.StartAsync("fo-switch", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await using var harness = await FailoverHarness.OpenAsync(test, deadline.Token);
        var drill = new Drill(harness.Access, harness.Control, harness.Control, harness.WriteEndpoint(),
            async (spec, ct) =>
            {
                var report = await harness.VerifyAsync(ct);
                return (report.Passed, report.Summary);
            });

        var report = await drill.RunAsync(DrillOptions.For(DrillKind.Switchover) with { Before = TimeSpan.FromSeconds(1), After = TimeSpan.FromSeconds(1) }, deadline.Token);
        var directory = await DrillReportWriter.WriteAsync(report, Path.Combine(test.Root, "drill"), deadline.Token);

        Assert.True(report.Promotion.Succeeded, report.Promotion.Error);
        Assert.Empty(report.Metrics.Missing);
        Assert.True(report.Passed, report.Verdict);
        var newPrimary = report.Promotion.NewPrimary;
        Assert.NotEqual("pg-1", newPrimary);
        // Writes were acknowledged before the switchover by pg-1 and after it by the new primary, through one endpoint.
        Assert.Contains(report.Writes, w => w.Acknowledged && w.Node == "pg-1");
        Assert.Contains(report.Writes, w => w.Acknowledged && w.Node == newPrimary);
        Assert.InRange(report.Metrics.LongestGap, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(RejoinMethod.NoRewindNeeded, report.Promotion.Rejoin!.Method);
        Assert.True(File.Exists(Path.Combine(directory, DrillReportWriter.Timeline)));
        Assert.Contains("final LSN reached", await File.ReadAllTextAsync(Path.Combine(directory, DrillReportWriter.Timeline), deadline.Token), StringComparison.Ordinal);
        Assert.Equal(newPrimary, test.Cluster.State!.Primary);
        Assert.Equal(newPrimary, (await harness.ReceiverAsync("pg-1", deadline.Token)).SenderPort is { } port ? test.Spec.Nodes.Single(n => n.Port == port).Name : null);

        // `up` follows the recorded primary: it changes nothing and never demotes the new primary.
        await test.OpenAsync(deadline.Token);
        var up = await test.UpAsync(cancellationToken: deadline.Token);
        Assert.False(up.Changed, string.Join("; ", up.Plan.Actions));
        Assert.False(await test.QueryAsync<bool>(newPrimary, "SELECT pg_is_in_recovery()", deadline.Token));
        Assert.True(await test.QueryAsync<bool>("pg-1", "SELECT pg_is_in_recovery()", deadline.Token));
        Assert.True((await test.VerifyAsync(cancellationToken: deadline.Token)).Passed);
    }
}
