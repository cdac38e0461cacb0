using System.Text.Json.Nodes;
using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>`plan` shows what `up` will do to a fenced old primary: a rejoin through pg_rewind, with its reason, never "start it".</summary>
public sealed class FencedPlanTests
{
    [Fact]
    public async Task Plan_names_the_rejoin_of_a_fenced_node_and_up_does_exactly_that()
    {
        using var deadline = FailoverHarness.Deadline(240);
        await using var test = await TestCluster.StartAsync("safe-plan", StackTemplates.Async(2), cancellationToken: deadline.Token);
        await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
        {
            await harness.Control.CrashAsync(harness.Spec.Node("pg-1"), deadline.Token);
            var decision = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), "pg-2", force: false);
            Assert.True(decision.Proceed, decision.Reason);
            var report = await harness.Runner.FailoverAsync(decision.Plan!, rejoin: false, deadline.Token);
            Assert.True(report.Succeeded, report.Error);
        }

        var plan = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "plan");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        Assert.Contains("pg-1", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("rejoin", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("pg-1 is fenced (", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("rejoins as a replica of pg-2 through pg_rewind", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("re-clone only with --allow-reclone", plan.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("pg-1 is stopped: start it", plan.Stdout, StringComparison.Ordinal);
        var json = JsonNode.Parse((await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "plan", "--json")).Stdout)!;
        var pg1 = Assert.Single(json["actions"]!.AsArray(), a => (string)a!["node"]! == "pg-1")!;
        Assert.Equal("rejoin", (string)pg1["kind"]!);

        await test.OpenAsync(deadline.Token);
        var up = await test.UpAsync(cancellationToken: deadline.Token);
        Assert.Contains(up.Steps, s => s.Node == "pg-1" && s.Step == "rejoin (fenced)");
        Assert.True(await test.QueryAsync<bool>("pg-1", "SELECT pg_is_in_recovery()", deadline.Token));
        var verify = await test.VerifyAsync(cancellationToken: deadline.Token);
        Assert.True(verify.Passed, verify.Summary);
    }
}
