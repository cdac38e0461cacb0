using System.Text.Json.Nodes;
using PgHaInfra.Integration.Tests.Failover;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// pgha killed between promoting a replica and recording it leaves a writable node state.json does not name. No
/// failover, forced or not, may promote a second node behind it; `failover --adopt` records it, with its sentence.
/// </summary>
public sealed class UnrecordedPromotionTests
{
    private static readonly TimeSpan Cli = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_promotion_that_was_never_recorded_blocks_every_failover_and_can_be_adopted()
    {
        using var deadline = FailoverHarness.Deadline(240);
        await using var test = await TestCluster.StartAsync("safe-unrec", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
        {
            // What a failover killed after pg_promote and before the record leaves: the old primary fenced, pg-2
            // promoted, state.json still naming pg-1.
            await harness.Control.FenceAsync(harness.Spec.Node("pg-1"), deadline.Token);
            Assert.True(await harness.QueryAsync<bool>("pg-2", "SELECT pg_promote(true, 60)", deadline.Token));
            await harness.QueryAsync<int>("pg-2", "CREATE TABLE after_promote AS SELECT 1 AS n; SELECT 1", deadline.Token);
        }

        var failover = await PghaProcess.RunAsync(test, Cli, "failover");
        Assert.True(failover.ExitCode == 1, failover.Stdout + failover.Stderr);
        Assert.Contains("pg-2 already accepts writes", failover.Stderr, StringComparison.Ordinal);
        Assert.Contains("`pgha failover --adopt pg-2`", failover.Stderr, StringComparison.Ordinal);
        var forced = await PghaProcess.RunAsync(test, Cli, "failover", "--to", "pg-3", "--force");
        Assert.True(forced.ExitCode == 1, forced.Stdout + forced.Stderr);
        var toWritable = await PghaProcess.RunAsync(test, Cli, "failover", "--to", "pg-2", "--force");
        Assert.True(toWritable.ExitCode == 1, toWritable.Stdout + toWritable.Stderr);
        Assert.Contains("--adopt pg-2", toWritable.Stderr, StringComparison.Ordinal);
        Assert.True(await test.QueryAsync<bool>("pg-3", "SELECT pg_is_in_recovery()", deadline.Token), "pg-3 must not become a second primary");

        var adopt = await PghaProcess.RunAsync(test, Cli, "failover", "--adopt", "pg-2", "--json");
        Assert.True(adopt.ExitCode == 0, adopt.Stdout + adopt.Stderr);
        var report = JsonNode.Parse(adopt.Stdout)!;
        Assert.Equal("pg-2", (string)report["newPrimary"]!);
        Assert.StartsWith("adopting pg-2 as the primary: it accepts writes at ", (string)report["reason"]!, StringComparison.Ordinal);
        Assert.True((bool)report["verify"]!["passed"]!, (string?)report["verify"]!["summary"]);
        await test.OpenAsync(deadline.Token);
        Assert.Equal("pg-2", test.State!.Primary);
        Assert.Equal(1, await test.QueryAsync<int>("pg-3", "SELECT n FROM after_promote", deadline.Token));
        Assert.True(await test.QueryAsync<bool>("pg-3", "SELECT pg_is_in_recovery()", deadline.Token));
        Assert.True(File.Exists(Path.Combine(test.DataDirectory("pg-1"), "pgha.fenced")), "the old primary stays fenced until it rejoins");
    }
}
