using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Robustness;

/// <summary>
/// The failover and rejoin suite (up, switchover, failover, rejoin, up again) with every libpq variable set to a
/// wrong value: in this process (the engine and operations in-process) and in the environment of the built `pgha`.
/// Before ToolEnvironment, a server restarted with PGPASSWORD failed to authenticate and the switchover ended in
/// "did not stream"; before EnvironmentProof, PGOPTIONS made every Npgsql connection of pgha's fail.
/// </summary>
public sealed class PollutedEnvironmentTests
{
    [Fact]
    public async Task In_process_switchover_failover_rejoin_and_up_ignore_the_callers_libpq_variables()
    {
        using var deadline = FailoverHarness.Deadline(240);
        using var polluted = PollutedEnvironment.InProcess();
        await using var test = await TestCluster.StartAsync("rb-envin", StackTemplates.Async(2), cancellationToken: deadline.Token);

        await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
        {
            var decision = SwitchoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), "pg-2", force: false);
            Assert.True(decision.Proceed, decision.Reason);
            var switchover = await harness.Runner.SwitchoverAsync(decision.Plan!, rejoin: true, deadline.Token);
            Assert.True(switchover.Succeeded, switchover.Error);
            var verify = await harness.VerifyAsync(deadline.Token);
            Assert.True(verify.Passed, verify.Summary);
        }

        await test.OpenAsync(deadline.Token);
        await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
        {
            Assert.Equal("pg-2", harness.Spec.Primary);
            await harness.Control.CrashAsync(harness.Spec.Node("pg-2"), deadline.Token);
            var decision = FailoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), null, force: false);
            Assert.True(decision.Proceed, decision.Reason);
            var failover = await harness.Runner.FailoverAsync(decision.Plan!, rejoin: false, deadline.Token);
            Assert.True(failover.Succeeded, failover.Error);
            var rejoin = await harness.Runner.RejoinAsync(decision.Plan!.Next, "pg-2", deadline.Token);
            Assert.True(rejoin.Succeeded, rejoin.Error);
        }

        await test.OpenAsync(deadline.Token);
        var up = await test.UpAsync(cancellationToken: deadline.Token);
        Assert.False(up.Changed, string.Join("; ", up.Plan.Actions));
        var report = await test.VerifyAsync(cancellationToken: deadline.Token);
        Assert.True(report.Passed, report.Summary);
        // The servers themselves run without the caller's variables.
        foreach (var node in test.Spec.Nodes)
        {
            Assert.DoesNotContain("PGPASSWORD=", await ServerEnvironmentAsync(test, node.Name), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_built_pgha_with_a_polluted_environment_switches_over_fails_over_rejoins_and_converges()
    {
        using var deadline = FailoverHarness.Deadline(300);
        await using var test = await TestCluster.StartAsync("rb-envcli", StackTemplates.Async(2), up: false, cancellationToken: deadline.Token);
        var env = PollutedEnvironment.Values;
        var timeout = TimeSpan.FromSeconds(90);

        var up = await PghaRun.RunAsync(test, env, timeout, "up");
        Assert.True(up.ExitCode == 0, up.ToString());
        var switchover = await PghaRun.RunAsync(test, env, timeout, "switchover", "--to", "pg-2");
        Assert.True(switchover.ExitCode == 0, switchover.ToString());

        await test.OpenAsync(deadline.Token);
        await using (var harness = await FailoverHarness.OpenAsync(test, deadline.Token))
        {
            await harness.Control.CrashAsync(harness.Spec.Node("pg-2"), deadline.Token);
        }

        var failover = await PghaRun.RunAsync(test, env, timeout, "failover");
        Assert.True(failover.ExitCode == 0, failover.ToString());
        var rejoin = await PghaRun.RunAsync(test, env, timeout, "rejoin", "--node", "pg-2");
        Assert.True(rejoin.ExitCode == 0, rejoin.ToString());
        var again = await PghaRun.RunAsync(test, env, timeout, "up", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        var verify = await PghaRun.RunAsync(test, env, timeout, "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var psql = await PghaRun.RunAsync(test, env, timeout, "psql", "--write", "--", "-tAc", "SELECT current_user || ' ' || current_setting('work_mem')");
        Assert.True(psql.ExitCode == 0, psql.ToString());
        Assert.Equal("postgres 4MB", psql.Stdout.Trim());

        await test.OpenAsync(deadline.Token);
        Assert.True((await test.VerifyAsync(cancellationToken: deadline.Token)).Passed);
        foreach (var node in test.Spec.Nodes)
        {
            Assert.DoesNotContain("PGPASSWORD=", await ServerEnvironmentAsync(test, node.Name), StringComparison.Ordinal);
        }
    }

    /// <summary>The postmaster's environment, from /proc (pgha runs as root in CI; the server as postgres).</summary>
    private static async Task<string> ServerEnvironmentAsync(TestCluster test, string node)
    {
        var pid = (await File.ReadAllLinesAsync(Path.Combine(test.DataDirectory(node), "postmaster.pid")))[0].Trim();
        return (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Replace('\0', '\n');
    }
}
