using System.Collections.Immutable;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Core.Tests.Failover;

/// <summary>The pure planning functions: candidate choice, preconditions and refusals, from hand-made observations.</summary>
public sealed class FailoverPlanningTests
{
    private static NodeObservation Primary(string node, string lsn) =>
        new() { Node = node, InRecovery = false, CurrentLsn = Lsn.Parse(lsn), Timeline = 1 };

    private static NodeObservation Standby(string node, string received, string replayed, string? status = "streaming", bool paused = false, double ageSeconds = 0) =>
        new()
        {
            Node = node,
            InRecovery = true,
            ReceiveLsn = Lsn.Parse(received),
            ReplayLsn = Lsn.Parse(replayed),
            ReplayPaused = paused,
            WalReceiver = status is null ? null : new WalReceiverObservation(status, "127.0.0.1", 5432, node.Replace('-', '_'), Lsn.Parse(received)),
            Timeline = 1,
            SinceLastReplayedCommit = TimeSpan.FromSeconds(ageSeconds),
        };

    /// <summary>The nodes, each upstream holding its pg_stat_replication rows.</summary>
    private static ClusterObservation Observe(IEnumerable<NodeObservation> nodes, params (string Upstream, WalSenderObservation Row)[] rows) =>
        new([.. nodes.Select(n => n with { WalSenders = [.. rows.Where(r => r.Upstream == n.Node).Select(r => r.Row)] })], DateTimeOffset.UnixEpoch, TimeSpan.Zero);

    private static (string Upstream, WalSenderObservation Row) Row(string upstream, string node, string sync = "async", string state = "streaming") =>
        (upstream, new WalSenderObservation(node, state, sync, null, null, null, null, null, null, null, null, null, null, null));

    [Fact]
    public void Lsn_parses_prints_and_orders_like_postgres()
    {
        var lsn = Lsn.Parse("0/3000148");

        Assert.Equal("0/3000148", lsn.ToString());
        Assert.Equal("1/A", Lsn.Parse("1/a").ToString());
        Assert.True(Lsn.Parse("1/0") > Lsn.Parse("0/FFFFFFFF"));
        Assert.Equal(0x148, Lsn.Parse("0/3000148").BytesAhead(Lsn.Parse("0/3000000")));
        Assert.False(Lsn.TryParse("3000148", out _));
    }

    [Fact]
    public async Task Failover_chooses_the_replica_with_the_highest_received_lsn()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe([
            NodeObservation.Unreachable("pg-1", "Connection refused"),
            Standby("pg-2", "0/3000100", "0/3000100", status: "waiting"),
            Standby("pg-3", "0/3000148", "0/3000100", status: "waiting"),
        ]);

        var decision = FailoverPlanner.Plan(spec, observation, null, force: false);

        Assert.True(decision.Proceed, decision.Reason);
        Assert.Equal("pg-3", decision.Plan!.Target);
        Assert.StartsWith("chose pg-3: highest received LSN 0/3000148", decision.Reason, StringComparison.Ordinal);
        Assert.Equal([new RePointStep("pg-2", "pg-1", "pg-3")], decision.Plan.RePoints.ToArray());
    }

    [Fact]
    public async Task On_a_tie_the_synchronous_standby_is_preferred()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var observation = Observe([
            Primary("pg-1", "0/5000000"),
            Standby("pg-2", "0/5000000", "0/5000000"),
            Standby("pg-3", "0/5000000", "0/5000000"),
            Standby("pg-4", "0/5000000", "0/5000000"),
            Standby("pg-dr", "0/5000000", "0/4000000"),
        ], Row("pg-1", "pg-2", "potential"), Row("pg-1", "pg-3", "quorum"), Row("pg-1", "pg-dr"), Row("pg-3", "pg-4"));

        var decision = CandidateSelection.Choose(spec, observation, force: false);

        Assert.Equal("pg-3", decision.Chosen);
        Assert.Contains("synchronous standby", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(decision.Ranking, r => r.Node == "pg-dr" && r.Ineligible!.Contains("delayed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cascading_replica_is_a_candidate_when_it_is_the_most_advanced()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var observation = Observe([
            NodeObservation.Unreachable("pg-1", "Connection refused"),
            NodeObservation.Unreachable("pg-2", "Connection refused"),
            Standby("pg-3", "0/5000000", "0/5000000", status: "waiting"),
            Standby("pg-4", "0/5000010", "0/5000010"),
            Standby("pg-dr", "0/6000000", "0/4000000", status: "waiting"),
        ]);

        var decision = FailoverPlanner.Plan(spec, observation, null, force: false);

        Assert.Equal("pg-4", decision.Plan!.Target);
        Assert.Contains("cascading", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failover_is_refused_while_the_old_primary_accepts_writes_unless_forced()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe([Primary("pg-1", "0/3000148"), Standby("pg-2", "0/3000148", "0/3000148"), Standby("pg-3", "0/3000148", "0/3000148")]);

        var refused = FailoverPlanner.Plan(spec, observation, "pg-2", force: false);
        var forced = FailoverPlanner.Plan(spec, observation, "pg-2", force: true);

        Assert.False(refused.Proceed);
        Assert.Contains("pg-1 still accepts writes", refused.Reason, StringComparison.Ordinal);
        Assert.True(forced.Proceed, forced.Reason);
        Assert.True(forced.Plan!.OldPrimaryAlive);
    }

    [Fact]
    public async Task Switchover_to_a_lagging_target_is_refused_with_the_numbers()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe(
            [Primary("pg-1", "1/0"), Standby("pg-2", "0/3000000", "0/3000000", paused: false, ageSeconds: 45), Standby("pg-3", "1/0", "1/0")],
            Row("pg-1", "pg-2"), Row("pg-1", "pg-3"));

        var decision = SwitchoverPlanner.Plan(spec, observation, "pg-2", force: false);

        Assert.False(decision.Proceed);
        Assert.Contains("lag under threshold", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("bytes behind 1/0", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switchover_to_a_delayed_or_paused_target_needs_force()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var observation = Observe(
            [Primary("pg-1", "0/5000000"), Standby("pg-2", "0/5000000", "0/5000000", paused: true), Standby("pg-3", "0/5000000", "0/5000000"),
             Standby("pg-4", "0/5000000", "0/5000000"), Standby("pg-dr", "0/5000000", "0/4000000")],
            Row("pg-1", "pg-2", "quorum"), Row("pg-1", "pg-3", "quorum"), Row("pg-1", "pg-dr"), Row("pg-3", "pg-4"));

        var delayed = SwitchoverPlanner.Plan(spec, observation, "pg-dr", force: false);
        var paused = SwitchoverPlanner.Plan(spec, observation, "pg-2", force: false);
        var forced = SwitchoverPlanner.Plan(spec, observation, "pg-dr", force: true);

        Assert.Contains("not a delayed replica", delayed.Reason, StringComparison.Ordinal);
        Assert.Contains("replay is paused on pg-2", paused.Reason, StringComparison.Ordinal);
        Assert.True(forced.Proceed, forced.Reason);
        Assert.Contains("--force overrides: not a delayed replica", forced.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switchover_refuses_a_dead_old_primary_even_with_force()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe([NodeObservation.Unreachable("pg-1", "Connection refused"), Standby("pg-2", "0/1", "0/1"), Standby("pg-3", "0/1", "0/1")]);

        var decision = SwitchoverPlanner.Plan(spec, observation, "pg-2", force: true);

        Assert.False(decision.Proceed);
        Assert.Contains("use `pgha failover`", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switchover_in_a_cascade_re_points_only_the_replicas_whose_upstream_changes()
    {
        var spec = await StackFixtures.LoadAsync("prod");
        var observation = Observe(
            [Primary("pg-1", "0/5000000"), Standby("pg-2", "0/5000000", "0/5000000"), Standby("pg-3", "0/5000000", "0/5000000"),
             Standby("pg-4", "0/5000000", "0/5000000"), Standby("pg-dr", "0/5000000", "0/4000000")],
            Row("pg-1", "pg-2", "quorum"), Row("pg-1", "pg-3", "quorum"), Row("pg-1", "pg-dr"), Row("pg-3", "pg-4"));

        var decision = SwitchoverPlanner.Plan(spec, observation, "pg-3", force: false);

        Assert.True(decision.Proceed, decision.Reason);
        Assert.Equal(["pg-2", "pg-dr"], decision.Plan!.RePoints.Select(r => r.Node));
        Assert.Equal("pg-3", decision.Plan.Next.UpstreamOf(decision.Plan.Next.Node("pg-4"))!.Name);
        Assert.Equal("pg-3", decision.Plan.Next.UpstreamOf(decision.Plan.Next.Node("pg-1"))!.Name);
    }

    [Fact]
    public async Task Failover_to_a_requested_replica_behind_another_is_refused_unless_forced()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe([NodeObservation.Unreachable("pg-1", "refused"), Standby("pg-2", "0/3000000", "0/3000000", "waiting"), Standby("pg-3", "0/3000148", "0/3000148", "waiting")]);

        var refused = FailoverPlanner.Plan(spec, observation, "pg-2", force: false);

        Assert.False(refused.Proceed);
        Assert.Contains("pg-3 has received up to 0/3000148, 328 bytes more than pg-2", refused.Reason, StringComparison.Ordinal);
        Assert.True(FailoverPlanner.Plan(spec, observation, "pg-2", force: true).Proceed);
    }

    [Fact]
    public async Task Time_lag_counts_only_when_more_than_a_trickle_of_wal_waits_for_replay()
    {
        var spec = await StackFixtures.LoadAsync("local");
        (string Upstream, WalSenderObservation Row)[] rows = [Row("pg-1", "pg-2"), Row("pg-1", "pg-3")];
        // A quiet primary: 200 bytes of checkpoint WAL being replayed, the last commit 45 s ago.
        var quiet = Observe([Primary("pg-1", "0/30000C8"), Standby("pg-2", "0/30000C8", "0/3000000", ageSeconds: 45), Standby("pg-3", "0/30000C8", "0/30000C8")], rows);
        // 256 kB received and waiting, the last replayed commit 45 s old: really behind.
        var behind = Observe([Primary("pg-1", "0/3040000"), Standby("pg-2", "0/3040000", "0/3000000", ageSeconds: 45), Standby("pg-3", "0/3040000", "0/3040000")], rows);

        Assert.True(SwitchoverPlanner.Plan(spec, quiet, "pg-2", force: false).Proceed);
        var refused = SwitchoverPlanner.Plan(spec, behind, "pg-2", force: false);
        Assert.False(refused.Proceed);
        Assert.Contains("45.0 s behind in time", refused.Reason, StringComparison.Ordinal);
    }
}
