using System.Text.Json.Nodes;

namespace PgHaInfra.Integration.Tests.Failover;

/// <summary>The real command line: `pgha drill`, `pgha failover` after a crash, and `pgha rejoin` re-cloning only with consent.</summary>
public sealed class CliFailoverTests
{
    [Fact]
    public async Task Drill_failover_and_rejoin_by_reclone_through_the_cli()
    {
        using var deadline = FailoverHarness.Deadline(240);
        await using var test = await TestCluster.StartAsync("fo-cli", StackTemplates.Async(1), cancellationToken: deadline.Token);
        var reports = Path.Combine(test.Root, "drill");

        var drill = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(90), "drill", "--kind", "switchover", "--out", reports);

        Assert.True(drill.ExitCode == 0, drill.Stderr);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "report.json"), deadline.Token))!;
        Assert.True((bool)json["passed"]!);
        Assert.Equal(0, (int)json["rpo"]!["missingAcknowledgedCommits"]!);
        Assert.Equal("pg-2", (string)json["newPrimary"]!);
        Assert.True(File.Exists(Path.Combine(reports, "timeline.svg")));
        Assert.Contains("| RPO: acknowledged commits missing on pg-2 | 0 |", await File.ReadAllTextAsync(Path.Combine(reports, "report.md"), deadline.Token), StringComparison.Ordinal);

        // pg-2 is primary now. Kill it, fail over back to pg-1 from the command line.
        await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
        {
            await harness.Control.CrashAsync(harness.Spec.Node("pg-2"), deadline.Token);
        }

        var failover = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "failover", "--json");
        Assert.True(failover.ExitCode == 0, failover.Stderr);
        var result = JsonNode.Parse(failover.Stdout)!;
        Assert.Equal("pg-1", (string)result["newPrimary"]!);
        Assert.Contains("chose pg-1", (string)result["reason"]!, StringComparison.Ordinal);

        // Make pg_rewind impossible: without pg_control it cannot read the old primary at all. Without consent the
        // rejoin refuses and deletes nothing; with --allow-reclone it re-clones.
        File.Delete(Path.Combine(test.DataDirectory("pg-2"), "global", "pg_control"));
        var refused = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(90), "rejoin", "--node", "pg-2");
        Assert.True(refused.ExitCode == 1, refused.Stderr);
        Assert.Contains("--allow-reclone", refused.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(test.DataDirectory("pg-2"), "PG_VERSION")), "nothing was deleted without consent");
        Assert.True(File.Exists(Path.Combine(test.DataDirectory("pg-2"), "pgha.fenced")) && File.Exists(Path.Combine(test.DataDirectory("pg-2"), "standby.signal")));
        var rejoin = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(90), "rejoin", "--node", "pg-2", "--allow-reclone", "--json");

        Assert.True(rejoin.ExitCode == 0, rejoin.Stderr);
        var rejoined = JsonNode.Parse(rejoin.Stdout)!;
        Assert.Equal("reclone", (string)rejoined["rejoin"]!["method"]!);
        Assert.True((bool)rejoined["verify"]!["passed"]!);
        await test.OpenAsync(deadline.Token);
        Assert.Equal("pg-1", test.State!.Primary);
        Assert.True(await test.QueryAsync<bool>("pg-2", "SELECT pg_is_in_recovery()", deadline.Token));
    }
}
