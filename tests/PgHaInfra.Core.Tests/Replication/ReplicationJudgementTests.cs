using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Operations.Status;
using PgHaInfra.Operations.Wal;
using PgHaInfra.Rendering;

namespace PgHaInfra.Core.Tests.Replication;

/// <summary>Questions answered from one hand-made probe (pure), and the access's lifetime.</summary>
public sealed class ReplicationJudgementTests
{
    private static readonly Lsn Head = Lsn.Parse("0/3000148");

    private static WalSenderObservation Sender(string app, string state = "streaming", TimeSpan? replayLag = null) =>
        new(app, state, "async", Head, Head, Head, Head, 0, 0, 0, 0, replayLag, replayLag, replayLag);

    private static NodeObservation Standby(string node, Lsn received, Lsn replayed, string receiver = "streaming") => new()
    {
        Node = node,
        InRecovery = true,
        ReceiveLsn = received,
        ReplayLsn = replayed,
        WalReceiver = new WalReceiverObservation(receiver, "127.0.0.1", 15432, node.Replace('-', '_'), received),
    };

    private static ClusterObservation Observe(params NodeObservation[] nodes) => new([.. nodes], DateTimeOffset.UnixEpoch, TimeSpan.Zero);

    [Fact]
    public async Task Status_reads_roles_walsenders_and_lag_from_one_probe()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe(
            new NodeObservation { Node = "pg-1", CurrentLsn = Head, WalSenders = [Sender("pg-2", replayLag: TimeSpan.FromSeconds(3)), Sender("pg-3", replayLag: TimeSpan.FromSeconds(2))] },
            Standby("pg-2", Head, Lsn.Parse("0/3000000")),
            NodeObservation.Unreachable("pg-3", "Connection refused"));

        var status = ClusterStatusReader.From(spec, observation).ToDictionary(s => s.Name);

        Assert.Equal(("primary", (string?)"0/3000148"), (status["pg-1"].Role, status["pg-1"].Lsn));
        Assert.Equal(("replica", (string?)"pg-1", (string?)"streaming", (long?)0x148, (double?)3), (status["pg-2"].Role, status["pg-2"].Upstream, status["pg-2"].State, status["pg-2"].LagBytes, status["pg-2"].LagSeconds));
        // An unreachable replica still shows what its upstream says of it.
        Assert.Equal(("unreachable", (string?)"pg-1", (string?)"streaming", (string?)"Connection refused"), (status["pg-3"].Role, status["pg-3"].Upstream, status["pg-3"].State, status["pg-3"].Error));
    }

    [Fact]
    public async Task A_caught_up_replica_has_no_time_lag_whatever_a_stale_replay_lag_says()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var observation = Observe(
            new NodeObservation { Node = "pg-1", CurrentLsn = Head, WalSenders = [Sender("pg-2", replayLag: TimeSpan.FromSeconds(9))] },
            Standby("pg-2", Head, Head),
            Standby("pg-3", Head, Head));

        Assert.Equal(0, ClusterStatusReader.From(spec, observation).Single(s => s.Name == "pg-2").LagSeconds);
    }

    [Fact]
    public void Streaming_needs_both_sides_and_the_replicas_own_slot()
    {
        var both = Observe(new NodeObservation { Node = "pg-1", CurrentLsn = Head, WalSenders = [Sender("pg-2")] }, Standby("pg-2", Head, Head));
        var senderOnly = Observe(new NodeObservation { Node = "pg-1", CurrentLsn = Head, WalSenders = [Sender("pg-2")] }, Standby("pg-2", Head, Head, receiver: "waiting"));
        var leftoverRow = Observe(new NodeObservation { Node = "pg-1", CurrentLsn = Head, WalSenders = [Sender("pg-2", "startup"), Sender("pg-2")] }, Standby("pg-2", Head, Head));

        Assert.True(StreamingWait.Streams(both, "pg-2", "pg-1", "pg_2"));
        Assert.False(StreamingWait.Streams(both, "pg-2", "pg-1", "pg_3"));
        Assert.False(StreamingWait.Streams(senderOnly, "pg-2", "pg-1", "pg_2"));
        Assert.True(StreamingWait.Streams(leftoverRow, "pg-2", "pg-1", "pg_2"));
    }

    [Fact]
    public async Task A_disposed_access_refuses_to_hand_out_data_sources()
    {
        var spec = await StackFixtures.LoadAsync("local");
        var access = new ClusterAccess(spec, ClusterPlacement.Loopback(spec, "/tmp/pgha-test/passfile", "/tmp/pgha-test").Addresses,
            new ClusterCredentials("postgres", "secret", "replicator", "secret"));
        Assert.NotNull(access.DataSource("pg-1"));

        await access.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => access.DataSource("pg-1"));
    }

    [Fact]
    public async Task Published_ports_reach_the_nodes_while_replicas_name_each_other_by_the_network()
    {
        var spec = await StackFixtures.LoadAsync("local");
        await using var access = ClusterAccess.ThroughPublishedPorts(spec, "127.0.0.1", new ClusterCredentials("postgres", "secret", "replicator", "secret"));

        Assert.Equal(new NodeAddress("127.0.0.1", 15432), access.AddressOf("pg-1"));
        Assert.Equal(ClusterPlacement.DockerNetwork(spec).AddressOf(spec.Node("pg-1")), access.PeerAddressOf("pg-1"));
        Assert.Equal(5432, access.PeerAddressOf("pg-1").Port);
    }
}
