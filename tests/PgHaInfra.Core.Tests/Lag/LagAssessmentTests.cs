using PgHaInfra.Operations.Lag;
using PgHaInfra.Operations.Replication;
using static PgHaInfra.Core.Tests.Lag.LagObservations;

namespace PgHaInfra.Core.Tests.Lag;

public class LagAssessmentTests
{
    [Fact]
    public void An_idle_caught_up_cluster_is_ok_whatever_stale_replay_lag_and_old_commits_say()
    {
        // PostgreSQL keeps showing the last measured replay_lag for a while, and the last replayed commit is hours old.
        var stale = TimeSpan.FromMinutes(5);
        var report = Assess(
            Primary(Sender("pg-2", replayLag: stale), Sender("pg-3", replayLag: stale), Sender("pg-dr", replayLag: stale)),
            Standby("pg-2", sinceCommit: TimeSpan.FromHours(7)));

        Assert.Equal(LagLevel.Ok, report.Level);
        Assert.Equal(0, report.ExitCode);
        Assert.All(report.Replicas, r => Assert.Equal(TimeSpan.Zero, r.TimeLag));
        Assert.All(report.Replicas, r => Assert.Equal(0, r.LagBytes));
        Assert.Contains("all 4 replica(s) of lagtest stream within the lag thresholds", report.Reason);
    }

    [Fact]
    public void A_replica_that_replayed_all_it_received_has_no_apply_lag_even_with_an_old_last_commit()
    {
        // A little WAL in flight (a checkpoint record) and a last commit hours ago must not read as hours of lag.
        var report = Assess(
            Primary(Sender("pg-2", flushBehind: 120, replayBehind: 120), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", receiveBehind: 120, replayBehind: 120, sinceCommit: TimeSpan.FromHours(7)));

        var pg2 = report.Replica("pg-2");
        Assert.Equal(LagLevel.Ok, pg2.Level);
        Assert.Equal(TimeSpan.Zero, pg2.TimeLag);
        Assert.Equal(120, pg2.LagBytes);
    }

    [Theory]
    [InlineData(1 * MB, LagLevel.Ok)] // at the threshold is not over it
    [InlineData(2 * MB, LagLevel.Warning)]
    [InlineData(4 * MB, LagLevel.Warning)]
    [InlineData(5 * MB, LagLevel.Critical)]
    public void Replayed_bytes_behind_the_primary_are_judged_against_the_byte_thresholds(long behind, LagLevel expected)
    {
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: behind), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", replayBehind: behind, sinceCommit: TimeSpan.FromMilliseconds(500), paused: true));

        var pg2 = report.Replica("pg-2");
        Assert.Equal(expected, pg2.Level);
        Assert.Equal(behind, pg2.ReplayBytesBehindPrimary);
        Assert.Equal(expected, report.Level);
        Assert.Equal((int)expected, report.ExitCode);
        if (expected != LagLevel.Ok)
        {
            Assert.Contains($"over the {expected.Name()} level of {(expected == LagLevel.Critical ? "4" : "1")} MB", pg2.Reason);
            Assert.Contains("with replay paused", pg2.Reason);
        }
    }

    [Theory]
    [InlineData(1.5, LagLevel.Ok)]
    [InlineData(2.5, LagLevel.Warning)]
    [InlineData(4.5, LagLevel.Critical)]
    public void Apply_lag_is_the_age_of_the_last_replayed_commit_while_received_wal_waits(double seconds, LagLevel expected)
    {
        // Few bytes, but replay is stuck: the time lag alone raises the level.
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: 1000), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", receiveBehind: 0, replayBehind: 1000, sinceCommit: TimeSpan.FromSeconds(seconds), paused: true));

        var pg2 = report.Replica("pg-2");
        Assert.Equal(expected, pg2.Level);
        Assert.Equal(TimeSpan.FromSeconds(seconds), pg2.TimeLag);
        if (expected != LagLevel.Ok)
        {
            Assert.Contains("behind in time", pg2.Reason);
        }
    }

    [Fact]
    public void The_upstreams_replay_lag_counts_when_the_replica_is_behind()
    {
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: 1000, replayLag: TimeSpan.FromSeconds(3)), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", replayBehind: 1000, receiveBehind: 1000));

        Assert.Equal(TimeSpan.FromSeconds(3), report.Replica("pg-2").TimeLag);
        Assert.Equal(LagLevel.Warning, report.Replica("pg-2").Level);
    }

    [Fact]
    public void The_upstreams_replay_lag_wins_over_an_apply_lag_inflated_by_an_idle_period()
    {
        // The primary was idle for an hour, then a bulk load began: the last replayed commit is an hour old, but
        // replay keeps up (PostgreSQL measures 0.2 s), so the replica is not an hour behind.
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: 300_000, replayLag: TimeSpan.FromMilliseconds(200)), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", receiveBehind: 0, replayBehind: 300_000, sinceCommit: TimeSpan.FromHours(1)));

        Assert.Equal(TimeSpan.FromMilliseconds(200), report.Replica("pg-2").TimeLag);
        Assert.Equal(LagLevel.Ok, report.Replica("pg-2").Level);
    }

    [Fact]
    public void A_paused_replica_with_wal_waiting_is_judged_by_its_apply_lag_when_replay_lag_stands_still()
    {
        // One write, then nothing: PostgreSQL's replay_lag keeps its old 4 ms while replay stays paused (measured).
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: 3000, replayLag: TimeSpan.FromMilliseconds(4)), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", receiveBehind: 0, replayBehind: 3000, sinceCommit: TimeSpan.FromSeconds(5), paused: true));

        Assert.Equal(TimeSpan.FromSeconds(5), report.Replica("pg-2").TimeLag);
        Assert.Equal(LagLevel.Critical, report.Replica("pg-2").Level);
    }

    [Fact]
    public void Both_byte_and_time_lag_over_critical_are_both_named()
    {
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: 9 * MB), Sender("pg-3"), Sender("pg-dr")),
            Standby("pg-2", replayBehind: 9 * MB, sinceCommit: TimeSpan.FromSeconds(9)));

        var reason = report.Replica("pg-2").Reason;
        Assert.StartsWith("pg-2 is 9 MB behind the primary in WAL replayed (over the critical level of 4 MB) and 9.0 s behind in time (over the critical level of 4.0 s)", reason);
        Assert.Equal(report.Replica("pg-2").Reason, report.Reason);
    }

    [Fact]
    public void A_stopped_replica_is_critical_not_streaming_and_its_inactive_slot_alerts_by_retained_bytes()
    {
        var primary = Primary(Sender("pg-3"), Sender("pg-dr")) with
        {
            Slots = [Slot("pg_2", false, 5 * MB), Slot("pg_3", true, 0), Slot("pg_dr", true, 0)],
        };
        var report = Assess(primary, Down("pg-2"));

        var pg2 = report.Replica("pg-2");
        Assert.Equal(LagLevel.Critical, pg2.Level);
        Assert.False(pg2.Streaming);
        Assert.Equal("pg-2 is not streaming: pg-1 has no WAL sender for it, and pg-2 did not answer (Connection refused)", pg2.Reason);

        var slot = report.SlotsOf("pg-1").Single(s => s.Slot == "pg_2");
        Assert.Equal("pg-2", slot.Replica);
        Assert.False(slot.Active);
        Assert.Equal(5 * MB, slot.RetainedBytes);
        Assert.Equal(LagLevel.Critical, slot.Level);
        Assert.Contains("inactive and retains 5 MB of WAL, over the critical level of 4 MB", slot.Reason);
        Assert.Equal(LagLevel.Critical, report.Level);
        Assert.Equal(2, report.ExitCode);
    }

    [Theory]
    [InlineData(0, LagLevel.Ok)]
    [InlineData(2 * MB, LagLevel.Warning)]
    [InlineData(8 * MB, LagLevel.Critical)]
    public void An_inactive_slot_is_judged_by_the_wal_it_retains(long retained, LagLevel expected)
    {
        var primary = Primary(Sender("pg-2"), Sender("pg-3"), Sender("pg-dr")) with
        {
            Slots = [Slot("pg_2", true, 0), Slot("pg_3", true, 0), Slot("pg_dr", true, 0), Slot("old_replica", false, retained)],
        };
        var report = Assess(primary);

        var slot = report.SlotsOf("pg-1").Single(s => s.Slot == "old_replica");
        Assert.Null(slot.Replica);
        Assert.Equal(expected, slot.Level);
        Assert.Contains("for no replica of the stack is inactive", slot.Reason);
        Assert.Equal(expected, report.Level);
    }

    [Fact]
    public void A_slot_that_lost_wal_is_critical_and_an_unreserved_one_a_warning()
    {
        var primary = Primary(Sender("pg-2"), Sender("pg-3"), Sender("pg-dr")) with
        {
            Slots = [Slot("pg_2", true, 0, "lost"), Slot("pg_3", true, 0, "unreserved"), Slot("pg_dr", true, 0)],
        };
        var report = Assess(primary);

        Assert.Equal(LagLevel.Critical, report.SlotsOf("pg-1").Single(s => s.Slot == "pg_2").Level);
        Assert.Contains("must be rebuilt", report.SlotsOf("pg-1").Single(s => s.Slot == "pg_2").Reason);
        Assert.Equal(LagLevel.Warning, report.SlotsOf("pg-1").Single(s => s.Slot == "pg_3").Level);
    }

    [Fact]
    public void A_cascading_replica_is_measured_against_its_own_upstream_and_against_the_primary()
    {
        // pg-3 is 1 MB behind the primary; pg-4 is 2 MB behind pg-3, so 3 MB behind the primary.
        var pg3Position = Behind(1 * MB);
        var report = Assess(
            Standby("pg-3", receiveBehind: 1 * MB, replayBehind: 1 * MB, sinceCommit: TimeSpan.FromMilliseconds(100),
                senders: Sender("pg-4", flushBehind: 0, replayBehind: 2 * MB, upstreamPosition: pg3Position)),
            Standby("pg-4", receiveBehind: 1 * MB, replayBehind: 3 * MB, sinceCommit: TimeSpan.FromMilliseconds(300)));

        var pg4 = report.Replica("pg-4");
        Assert.Equal("pg-3", pg4.Upstream);
        Assert.True(pg4.Cascading);
        Assert.Equal(2 * MB, pg4.BehindUpstream.Replay);
        Assert.Equal(3 * MB, pg4.ReplayBytesBehindPrimary);
        Assert.Equal(LagLevel.Warning, pg4.Level);
        Assert.Contains("(2 MB of it behind its upstream pg-3)", pg4.Reason);

        var pg3 = report.Replica("pg-3");
        Assert.Equal("pg-1", pg3.Upstream);
        Assert.False(pg3.Cascading);
        Assert.Equal(LagLevel.Ok, pg3.Level);
    }

    [Fact]
    public void A_cascading_replica_whose_upstream_has_no_sender_for_it_is_not_streaming_even_if_the_primary_is_fine()
    {
        var report = Assess(Standby("pg-3"), Standby("pg-4", receiver: "waiting"));

        var pg4 = report.Replica("pg-4");
        Assert.Equal(LagLevel.Critical, pg4.Level);
        Assert.Equal("pg-4 is not streaming: pg-3 has no WAL sender for it, and its WAL receiver is waiting, 0 B behind the primary", pg4.Reason);
    }

    [Fact]
    public void A_delayed_replica_is_judged_on_time_beyond_its_delay_and_on_received_bytes()
    {
        // An hour of WAL waits to be replayed, as intended; what it has received is current.
        var delayedBy = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1);
        var ok = Assess(
            Primary(Sender("pg-2"), Sender("pg-3"), Sender("pg-dr", replayBehind: 900 * MB)),
            Standby("pg-dr", receiveBehind: 0, replayBehind: 900 * MB, sinceCommit: delayedBy));

        var dr = ok.Replica("pg-dr");
        Assert.Equal(LagLevel.Ok, dr.Level);
        Assert.Equal(0, dr.LagBytes);
        Assert.Equal(900 * MB, dr.ReplayBytesBehindPrimary);
        Assert.Equal(TimeSpan.FromSeconds(1), dr.JudgedTimeLag);
        Assert.Contains("beyond its 60 min apply delay", dr.Reason);

        var late = Assess(
            Primary(Sender("pg-2"), Sender("pg-3"), Sender("pg-dr", replayBehind: 900 * MB)),
            Standby("pg-dr", receiveBehind: 0, replayBehind: 900 * MB, sinceCommit: TimeSpan.FromHours(1) + TimeSpan.FromSeconds(5)));
        Assert.Equal(LagLevel.Critical, late.Replica("pg-dr").Level);
        Assert.Contains("5.0 s beyond its 60 min apply delay", late.Replica("pg-dr").Reason);

        var notReceiving = Assess(
            Primary(Sender("pg-2"), Sender("pg-3"), Sender("pg-dr", flushBehind: 2 * MB, replayBehind: 900 * MB)),
            Standby("pg-dr", receiveBehind: 2 * MB, replayBehind: 900 * MB, sinceCommit: TimeSpan.FromHours(1)));
        Assert.Equal(LagLevel.Warning, notReceiving.Replica("pg-dr").Level);
        Assert.Contains("in WAL received", notReceiving.Replica("pg-dr").Reason);
    }

    [Fact]
    public void An_unreachable_primary_makes_every_streaming_replica_unknown()
    {
        var report = Assess(Down("pg-1"));

        Assert.Equal(LagLevel.Unknown, report.Level);
        Assert.Equal(3, report.ExitCode);
        Assert.Contains("the primary pg-1 did not answer (Connection refused)", report.ClusterProblems[0]);
        Assert.Equal(LagLevel.Unknown, report.Replica("pg-4").Level);
        Assert.Contains("its byte lag could be measured", report.Replica("pg-4").Reason, StringComparison.Ordinal);
        // pg-2 has its primary as upstream: both sides are needed to judge streaming; its own receiver says streaming.
        Assert.True(report.Replica("pg-2").Streaming);
    }

    [Fact]
    public void A_replica_and_its_upstream_both_unreachable_is_unknown()
    {
        var report = Assess(Down("pg-3"), Down("pg-4"));

        Assert.Equal(LagLevel.Unknown, report.Replica("pg-4").Level);
        Assert.Equal("neither pg-4 nor its upstream pg-3 answered (Connection refused)", report.Replica("pg-4").Reason);
        // pg-3 does not answer us, but its primary still streams to it: it is judged from the primary's side.
        Assert.Equal(LagLevel.Ok, report.Replica("pg-3").Level);
        Assert.True(report.Replica("pg-3").Streaming);
        Assert.Equal(LagLevel.Unknown, report.Level);
        Assert.Equal(3, report.ExitCode);
    }

    [Fact]
    public void A_replica_out_of_recovery_is_critical()
    {
        var promoted = new NodeObservation { Node = "pg-2", InRecovery = false, CurrentLsn = Head };
        var report = Assess(Primary(Sender("pg-3"), Sender("pg-dr")), promoted);

        Assert.Equal(LagLevel.Critical, report.Replica("pg-2").Level);
        Assert.StartsWith("pg-2 is not in recovery", report.Replica("pg-2").Reason);
    }

    [Fact]
    public void A_stack_primary_in_recovery_is_a_critical_cluster_problem()
    {
        var report = Assess(Standby("pg-1", senders: [Sender("pg-2"), Sender("pg-3"), Sender("pg-dr")]));

        Assert.Equal(LagLevel.Critical, report.Level);
        Assert.Contains("is in recovery", report.ClusterProblems.Single());
    }

    [Fact]
    public void A_replica_catching_up_is_at_least_a_warning()
    {
        var report = Assess(Primary(Sender("pg-2", state: "catchup"), Sender("pg-3"), Sender("pg-dr")));

        Assert.Equal(LagLevel.Warning, report.Replica("pg-2").Level);
        Assert.Contains("catching up with pg-1", report.Replica("pg-2").Reason);
    }

    [Fact]
    public void A_replica_streaming_while_its_superuser_connection_fails_is_judged_from_its_upstreams_row()
    {
        var report = Assess(
            Primary(Sender("pg-2", flushBehind: 0, replayBehind: 2 * MB, replayLag: TimeSpan.FromSeconds(1)), Sender("pg-3"), Sender("pg-dr")),
            Down("pg-2"));

        var pg2 = report.Replica("pg-2");
        Assert.True(pg2.Streaming);
        Assert.Equal(2 * MB, pg2.LagBytes);
        Assert.Equal(LagLevel.Warning, pg2.Level);
    }

    [Fact]
    public void Critical_outranks_unknown_which_outranks_warning()
    {
        Assert.Equal(LagLevel.Critical, LagLevels.Worst([LagLevel.Warning, LagLevel.Unknown, LagLevel.Critical, LagLevel.Ok]));
        Assert.Equal(LagLevel.Unknown, LagLevels.Worst([LagLevel.Warning, LagLevel.Unknown, LagLevel.Ok]));
        Assert.Equal(LagLevel.Warning, LagLevels.Worst([LagLevel.Ok, LagLevel.Warning]));
        Assert.Equal(LagLevel.Ok, LagLevels.Worst([]));
        Assert.Equal([0, 1, 2, 3], new[] { LagLevel.Ok, LagLevel.Warning, LagLevel.Critical, LagLevel.Unknown }.Select(l => l.ExitCode()));
    }

    [Fact]
    public void The_overall_reason_is_the_worst_finding_and_counts_the_others()
    {
        var report = Assess(
            Primary(Sender("pg-2", replayBehind: 2 * MB), Sender("pg-dr")) with { Slots = [Slot("pg_3", false, 2 * MB)] },
            Standby("pg-2", replayBehind: 2 * MB, sinceCommit: TimeSpan.Zero),
            Down("pg-3"));

        Assert.Equal(LagLevel.Critical, report.Level);
        Assert.StartsWith("pg-3 is not streaming", report.Reason);
        Assert.EndsWith("(and 2 more problem(s))", report.Reason);
    }

    [Fact]
    public void Nodes_report_their_role_as_postgresql_sees_it()
    {
        var report = Assess(Down("pg-4"));

        Assert.Equal(["primary", "replica", "replica", "unreachable", "replica"], report.Nodes.Select(n => n.Role));
    }
}
