namespace PgHaInfra.Integration.Tests;

/// <summary>The check fails for the right reason, and names the node, the check and what it saw.</summary>
public sealed class VerifyFailureTests
{
    [Fact]
    public async Task A_stopped_replica_fails_verification_naming_it()
    {
        await using var cluster = await TestCluster.StartAsync("it-fail", StackTemplates.Async(2));

        await cluster.StopNodeAsync("pg-3");
        var report = await cluster.VerifyAsync(TimeSpan.FromSeconds(1));

        Assert.False(report.Passed);
        Assert.All(report.Failures, f => Assert.Equal("pg-3", f.Node));
        Assert.Contains(report.Failures, f => f.Check == "replication" && f.Observed.Contains("no walsender for application_name pg-3", StringComparison.Ordinal));
        Assert.Contains(report.Failures, f => f.Check == "wal_receiver" && f.Observed.Contains("did not answer", StringComparison.Ordinal));
        Assert.Contains("pg-3: replication: saw no walsender", report.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Results, r => r.Node == "pg-2" && !r.Passed);

        // up starts it again and the check passes.
        var up = await cluster.UpAsync();
        Assert.Contains(up.Plan.Actions, a => a is PgHaInfra.Local.StartNode { Node: "pg-3" });
        var healed = await cluster.VerifyAsync();
        Assert.True(healed.Passed, healed.Summary);
    }
}
