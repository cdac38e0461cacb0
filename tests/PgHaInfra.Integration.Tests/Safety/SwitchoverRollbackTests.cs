using System.Diagnostics;
using PgHaInfra.Integration.Tests.Failover;
using PgHaInfra.Local;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>One cluster for the roll-back scenarios: each must leave it as it found it (pg-1 primary, both replicas streaming).</summary>
public sealed class RollbackCluster : IAsyncLifetime
{
    public TestCluster Test { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var deadline = FailoverHarness.Deadline();
        Test = await TestCluster.StartAsync("safe-rollback", StackTemplates.Async(2), cancellationToken: deadline.Token);
    }

    public async Task DisposeAsync() => await Test.DisposeAsync();
}

/// <summary>
/// Every failure of a switchover before the promotion is requested rolls back: the old primary writes again, there is
/// one primary, and no acknowledged commit is lost. A timeout, an SQL error, an engine error, a cancelled token, and
/// SIGINT to the CLI.
/// </summary>
public sealed class SwitchoverRollbackTests(RollbackCluster fixture) : IClassFixture<RollbackCluster>
{
    private TestCluster Test => fixture.Test;

    [Fact]
    public Task The_final_lsn_never_reached_rolls_back() =>
        ScenarioAsync(new PromotionTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(2)),
            control => control, duringWait: (_, _) => Task.CompletedTask, "replayed only up to");

    [Fact]
    public Task An_sql_error_while_waiting_for_the_final_lsn_rolls_back() =>
        ScenarioAsync(PromotionTimeouts.Default, control => control,
            duringWait: async (_, token) => await Test.StopNodeAsync("pg-2", StopMode.Immediate, token), null);

    [Fact]
    public Task An_engine_error_before_the_promotion_rolls_back() =>
        ScenarioAsync(PromotionTimeouts.Default,
            control => new FailingNodeControl(control, nameof(INodeControl.InstallConfigurationAsync), () => new LocalEngineException("injected: the disk is full")),
            duringWait: null, "injected: the disk is full");

    [Fact]
    public Task A_cancelled_switchover_rolls_back_on_its_own_token() =>
        ScenarioAsync(PromotionTimeouts.Default, control => control,
            duringWait: (cancel, _) =>
            {
                cancel.Cancel();
                return Task.CompletedTask;
            }, "cancelled");

    [Fact]
    public async Task Sigint_to_pgha_switchover_rolls_back()
    {
        using var deadline = FailoverHarness.Deadline();
        await using var harness = await FailoverHarness.OpenAsync(Test, deadline.Token);
        await using var writer = harness.Writer("sigint");
        await writer.PrepareAsync(deadline.Token);
        writer.Start();
        await harness.QueryAsync<object>("pg-2", "SELECT pg_wal_replay_pause()", deadline.Token);

        using var process = Process.Start(PghaProcess.StartInfo(Test, "switchover", "--to", "pg-2", "--force"))!;
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await TestCluster.EventuallyAsync(() => Task.FromResult(File.Exists(Fenced("pg-1"))), TimeSpan.FromSeconds(30), "pgha fenced pg-1");
        Interrupt.Send(process);

        await process.WaitForExitAsync(deadline.Token);
        var error = await stderr;
        Assert.True(process.ExitCode == 1, await stdout + error);
        Assert.Contains("rolled back", error, StringComparison.Ordinal);
        await AssertRolledBackAsync(harness, writer, deadline.Token);
    }

    private async Task ScenarioAsync(PromotionTimeouts timeouts, Func<INodeControl, INodeControl> wrap, Func<CancellationTokenSource, CancellationToken, Task>? duringWait, string? cause)
    {
        using var deadline = FailoverHarness.Deadline();
        using var operation = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        await using var harness = await FailoverHarness.OpenAsync(Test, deadline.Token);
        await using var writer = harness.Writer($"rollback-{Guid.NewGuid():N}");
        await writer.PrepareAsync(deadline.Token);
        writer.Start();
        await Task.Delay(300, deadline.Token);
        if (duringWait is not null)
        {
            // Replay paused: the final LSN waits until the injected failure (or the deadline) ends it.
            await harness.QueryAsync<object>("pg-2", "SELECT pg_wal_replay_pause()", deadline.Token);
        }

        var decision = SwitchoverPlanner.Plan(harness.Spec, await harness.ObserveAsync(deadline.Token), "pg-2", force: true);
        Assert.True(decision.Proceed, decision.Reason);
        var runner = new PromotionRunner(harness.Access, wrap(harness.Control), timeouts);
        var switchover = runner.SwitchoverAsync(decision.Plan!, rejoin: true, operation.Token);
        if (duringWait is not null)
        {
            await TestCluster.EventuallyAsync(() => Task.FromResult(File.Exists(Fenced("pg-1")) || switchover.IsCompleted), TimeSpan.FromSeconds(30), "pg-1 fenced");
            await duringWait(operation, deadline.Token);
        }

        var report = await switchover;

        Assert.False(report.Succeeded);
        Assert.False(report.Promoted);
        Assert.Equal("pg-1", report.NewPrimary);
        Assert.Contains("rolled back", report.Error, StringComparison.Ordinal);
        if (cause is not null)
        {
            Assert.Contains(cause, report.Error, StringComparison.Ordinal);
        }

        Assert.Contains("pg-1 is the primary again", report.Aftermath, StringComparison.Ordinal);
        Assert.Contains(report.Steps, s => s.Step == "roll-back");
        if (!PostmasterPidFile.IsRunning(Test.DataDirectory("pg-2")))
        {
            await Test.StartNodeAsync("pg-2", deadline.Token);
        }

        await AssertRolledBackAsync(harness, writer, deadline.Token);
    }

    private async Task AssertRolledBackAsync(FailoverHarness harness, Operations.Drills.ContinuousWriter writer, CancellationToken cancellationToken)
    {
        harness.Access.DataSource("pg-2").Clear();
        await harness.QueryAsync<object>("pg-2", "SELECT pg_wal_replay_resume() WHERE pg_get_wal_replay_pause_state() <> 'not paused'", cancellationToken);
        await TestCluster.EventuallyAsync(() => Task.FromResult(writer.Records.Any(r => r.Acknowledged && r.Node == "pg-1" && r.SentAt > DateTimeOffset.UtcNow.AddSeconds(-1))),
            TimeSpan.FromSeconds(20), "writes acknowledged by pg-1 again");
        await writer.StopAsync();

        Assert.False(File.Exists(Fenced("pg-1")), "the roll-back lifts the fence");
        Assert.False(await harness.QueryAsync<bool>("pg-1", "SELECT pg_is_in_recovery()", cancellationToken));
        Assert.True(await harness.QueryAsync<bool>("pg-2", "SELECT pg_is_in_recovery()", cancellationToken), "pg-2 was never promoted");
        Assert.True(await harness.QueryAsync<bool>("pg-3", "SELECT pg_is_in_recovery()", cancellationToken));
        Assert.Empty(await writer.MissingOnAsync(harness.Access.DataSource("pg-1"), cancellationToken));
        Assert.True(writer.Records.Count(r => r.Acknowledged) > 10);
        await Test.OpenAsync(cancellationToken);
        Assert.Equal("pg-1", Test.State!.Primary);
        var verify = await Test.VerifyAsync(TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
        Assert.True(verify.Passed, verify.Summary);
    }

    private string Fenced(string node) => Path.Combine(Test.DataDirectory(node), "pgha.fenced");
}
