using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Integration.Tests.Failover;

/// <summary>One small cluster shared by the refusal tests: each refusal must leave it exactly as it was.</summary>
public sealed class RefusalCluster : IAsyncLifetime
{
    /// <summary>Small lag thresholds so that a paused replica is "lagging" within a second of writes.</summary>
    public const string Template = """
        config:
          pg-ha-infra:topology: async
          pg-ha-infra:nodes:
            - name: pg-1
              port: {PORT0}
            - name: pg-2
              port: {PORT1}
            - name: pg-dr
              port: {PORT2}
              delay: 1h
          pg-ha-infra:lag:
            warningBytes: 1MB
            criticalBytes: 1GB
            warningTime: 30s
            criticalTime: 1 minute
        """;

    public TestCluster Test { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var deadline = FailoverHarness.Deadline();
        Test = await TestCluster.StartAsync("fo-refuse", Template, cancellationToken: deadline.Token);
    }

    public async Task DisposeAsync() => await Test.DisposeAsync();
}

/// <summary>Refusals: a lagging target, a delayed target, an old primary still alive. Nothing may change.</summary>
public sealed class RefusalTests(RefusalCluster fixture) : IClassFixture<RefusalCluster>
{
    private async Task AssertUnchangedAsync(FailoverHarness harness, CancellationToken cancellationToken)
    {
        Assert.False(await harness.QueryAsync<bool>("pg-1", "SELECT pg_is_in_recovery()", cancellationToken));
        Assert.True(await harness.QueryAsync<bool>("pg-2", "SELECT pg_is_in_recovery()", cancellationToken));
        Assert.True(await harness.QueryAsync<bool>("pg-dr", "SELECT pg_is_in_recovery()", cancellationToken));
        Assert.True(fixture.Test.Cluster.State?.Primary is null or "pg-1");
        Assert.False(File.Exists(Path.Combine(fixture.Test.DataDirectory("pg-1"), "pgha.fenced")));
        var verify = await harness.VerifyAsync(cancellationToken);
        Assert.True(verify.Passed, verify.Summary);
    }

    [Fact]
    public async Task Switchover_to_a_lagging_target_is_refused_and_nothing_changes()
    {
        using var deadline = FailoverHarness.Deadline(90);
        await using var harness = await FailoverHarness.OpenAsync(fixture.Test, deadline.Token);
        await harness.QueryAsync<object>("pg-2", "SELECT pg_wal_replay_pause()", deadline.Token);
        try
        {
            // About 4 MB of WAL that pg-2 receives but does not replay: over the stack's 1MB warning.
            await harness.QueryAsync<int>("pg-1", "CREATE TABLE IF NOT EXISTS lagging (n int, pad text); INSERT INTO lagging SELECT g, repeat('x', 200) FROM generate_series(1, 15000) g; SELECT 1", deadline.Token);
            var observation = await harness.ObserveAsync(deadline.Token);

            var decision = SwitchoverPlanner.Plan(harness.Spec, observation, "pg-2", force: false);

            Assert.False(decision.Proceed);
            Assert.Contains("lag under threshold", decision.Reason, StringComparison.Ordinal);
            Assert.Contains("the stack allows 1MB", decision.Reason, StringComparison.Ordinal);
            Assert.Contains("replay is paused on pg-2", decision.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await harness.QueryAsync<object>("pg-2", "SELECT pg_wal_replay_resume()", deadline.Token);
        }

        await AssertUnchangedAsync(harness, deadline.Token);
    }

    [Fact]
    public async Task Switchover_or_failover_to_the_delayed_replica_is_refused_and_nothing_changes()
    {
        using var deadline = FailoverHarness.Deadline(90);
        await using var harness = await FailoverHarness.OpenAsync(fixture.Test, deadline.Token);
        var observation = await harness.ObserveAsync(deadline.Token);

        var switchover = SwitchoverPlanner.Plan(harness.Spec, observation, "pg-dr", force: false);
        var ranking = CandidateSelection.Rank(harness.Spec, observation, force: false);

        Assert.False(switchover.Proceed);
        Assert.Contains("not a delayed replica: pg-dr applies WAL 1h late", switchover.Reason, StringComparison.Ordinal);
        Assert.Contains(ranking, r => r.Node == "pg-dr" && !r.Eligible);
        await AssertUnchangedAsync(harness, deadline.Token);
    }

    [Fact]
    public async Task Failover_while_the_old_primary_accepts_writes_is_refused_by_the_cli_and_nothing_changes()
    {
        using var deadline = FailoverHarness.Deadline(90);
        await using var harness = await FailoverHarness.OpenAsync(fixture.Test, deadline.Token);

        var (exit, stdout, wrapped) = await PghaProcess.RunAsync(fixture.Test, TimeSpan.FromSeconds(60), "failover", "--to", "pg-2", "--json");
        var stderr = System.Text.RegularExpressions.Regex.Replace(wrapped, @"\s+", " ");

        Assert.Equal(1, exit);
        Assert.Contains("refused failover to pg-2: old primary gone: pg-1 still accepts writes", stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed.", stderr, StringComparison.Ordinal);
        Assert.Contains("\"refused\": true", stdout, StringComparison.Ordinal);
        await AssertUnchangedAsync(harness, deadline.Token);
    }
}
