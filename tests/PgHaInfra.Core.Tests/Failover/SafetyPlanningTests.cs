using System.Collections.Immutable;
using Npgsql;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Operations.Replication;

namespace PgHaInfra.Core.Tests.Failover;

/// <summary>Issue 14's planning rules, pure: "gone" decided carefully, one primary always, adoption.</summary>
public sealed class SafetyPlanningTests
{
    private static NodeObservation Primary(string node, string lsn) =>
        new() { Node = node, InRecovery = false, CurrentLsn = Lsn.Parse(lsn), Timeline = 2 };

    private static NodeObservation Standby(string node, string status = "waiting", double? contactSeconds = null) =>
        new()
        {
            Node = node,
            InRecovery = true,
            ReceiveLsn = Lsn.Parse("0/3000000"),
            ReplayLsn = Lsn.Parse("0/3000000"),
            WalReceiver = new WalReceiverObservation(status, "127.0.0.1", 5432, null, Lsn.Parse("0/3000000"))
            {
                ContactAge = contactSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
            },
            Timeline = 1,
        };

    private static ClusterObservation Observe(params NodeObservation[] nodes) => new([.. nodes], DateTimeOffset.UnixEpoch, TimeSpan.Zero);

    [Fact]
    public void A_server_error_means_alive_and_only_socket_failures_mean_gone()
    {
        Assert.Equal(ObservationFailure.Server, ReplicationProbe.Classify(new PostgresException("sorry, too many clients already", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections)));
        Assert.Equal(ObservationFailure.Server, ReplicationProbe.Classify(new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow)));
        Assert.Equal(ObservationFailure.Connection, ReplicationProbe.Classify(new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111))));
        Assert.Equal(ObservationFailure.Connection, ReplicationProbe.Classify(new NpgsqlException("timeout", new TimeoutException())));
    }

    [Fact]
    public async Task An_old_primary_that_answers_with_an_error_is_not_gone_without_force()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe(NodeObservation.Unreachable("pg-1", "53300: sorry, too many clients already", ObservationFailure.Server), Standby("pg-2"), Standby("pg-3"));

        var refused = FailoverPlanner.Plan(spec, observation, null, force: false);
        var forced = FailoverPlanner.Plan(spec, observation, null, force: true);

        Assert.False(refused.Proceed);
        Assert.Contains("answers but refuses the connection (53300: sorry, too many clients already)", refused.Reason, StringComparison.Ordinal);
        Assert.True(forced.Proceed, forced.Reason);
    }

    [Fact]
    public async Task A_replica_still_streaming_from_the_old_primary_blocks_failover_unless_forced()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe(NodeObservation.Unreachable("pg-1", "Connection refused"), Standby("pg-2", "streaming", contactSeconds: 0.4), Standby("pg-3"));

        var refused = FailoverPlanner.Plan(spec, observation, null, force: false);

        Assert.False(refused.Proceed);
        Assert.Contains("the WAL receivers of pg-2 (0.4 s ago) still stream from pg-1", refused.Reason, StringComparison.Ordinal);
        Assert.True(FailoverPlanner.Plan(spec, observation, null, force: true).Proceed);
    }

    [Fact]
    public async Task A_second_writable_node_refuses_every_failover_and_switchover_even_forced()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var failover = Observe(NodeObservation.Unreachable("pg-1", "Connection refused"), Primary("pg-2", "0/4000000"), Standby("pg-3"));
        var switchover = Observe(Primary("pg-1", "0/3000000"), Standby("pg-2", "streaming"), Primary("pg-3", "0/4000000"));

        var decision = FailoverPlanner.Plan(spec, failover, "pg-3", force: true);
        Assert.False(decision.Proceed);
        Assert.Contains("pg-2 already accepts writes", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("`pgha failover --adopt pg-2`", decision.Reason, StringComparison.Ordinal);
        Assert.False(SwitchoverPlanner.Plan(spec, switchover, "pg-2", force: true).Proceed);
    }

    [Fact]
    public async Task Adopt_takes_the_only_writable_node_and_nothing_else()
    {
        var spec = await StackFixtures.LoadAsync("local");

        var adopt = AdoptPlanner.Plan(spec, Observe(NodeObservation.Unreachable("pg-1", "Connection refused"), Primary("pg-2", "0/4000000"), Standby("pg-3")), "pg-2");
        Assert.True(adopt.Proceed, adopt.Reason);
        Assert.Equal("adopting pg-2 as the primary: it accepts writes at 0/4000000 (timeline 2) and no other node does, while state.json recorded pg-1", adopt.Reason);
        Assert.Equal([new RePointStep("pg-3", "pg-1", "pg-2")], adopt.Plan!.RePoints.ToArray());
        Assert.False(AdoptPlanner.Plan(spec, Observe(NodeObservation.Unreachable("pg-1", "x"), Standby("pg-2"), Standby("pg-3")), "pg-2").Proceed);
        Assert.False(AdoptPlanner.Plan(spec, Observe(Primary("pg-1", "0/3000000"), Primary("pg-2", "0/4000000"), Standby("pg-3")), "pg-2").Proceed);
    }
}
