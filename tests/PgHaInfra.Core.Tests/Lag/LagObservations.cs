using System.Collections.Immutable;
using PgHaInfra.Operations.Lag;
using PgHaInfra.Operations.Replication;
using PgHaInfra.Spec;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Core.Tests.Lag;

/// <summary>Builds the observations a probe would return, for the pure assessment tests.</summary>
internal static class LagObservations
{
    public const long MB = 1024 * 1024;

    /// <summary>A primary pg-1, direct replicas pg-2 and pg-3, pg-4 cascading from pg-3, pg-dr delayed 1 h; thresholds 1MB/4MB, 2s/4s.</summary>
    public static ClusterSpec Spec(string topology = "cascading") => StackFixtures.Parse($"""
        config:
          pg-ha-infra:cluster: lagtest
          pg-ha-infra:topology: {topology}
          pg-ha-infra:nodes:
            - name: pg-1
              port: 25001
            - name: pg-2
              port: 25002
            - name: pg-3
              port: 25003
            - name: pg-4
              port: 25004
              upstream: pg-3
            - name: pg-dr
              port: 25005
              delay: 1h
          pg-ha-infra:lag:
            warningBytes: 1MB
            criticalBytes: 4MB
            warningTime: 2s
            criticalTime: 4s
        """).Spec ?? throw new InvalidOperationException("test stack did not parse");

    public static readonly Lsn Head = new(0x3_0000_0000);

    public static Lsn Behind(long bytes) => new(Head.Value - (ulong)bytes);

    public static NodeObservation Primary(params WalSenderObservation[] senders) => new()
    {
        Node = "pg-1",
        InRecovery = false,
        CurrentLsn = Head,
        WalSenders = [.. senders],
        Slots = [.. senders.Select(s => Slot(s.ApplicationName.Replace('-', '_'), true, 0))],
    };

    public static NodeObservation Standby(string name, long receiveBehind = 0, long replayBehind = 0, TimeSpan? sinceCommit = null,
        bool paused = false, string receiver = "streaming", params WalSenderObservation[] senders) => new()
    {
        Node = name,
        InRecovery = true,
        ReceiveLsn = Behind(receiveBehind),
        ReplayLsn = Behind(replayBehind),
        SinceLastReplayedCommit = sinceCommit ?? TimeSpan.FromHours(3),
        ReplayPaused = paused,
        WalReceiver = receiver == "none" ? null : new WalReceiverObservation(receiver, "127.0.0.1", 25001, name.Replace('-', '_'), Behind(receiveBehind)),
        WalSenders = [.. senders],
        Slots = [.. senders.Select(s => Slot(s.ApplicationName.Replace('-', '_'), true, 0))],
    };

    /// <summary>A pg_stat_replication row, with byte diffs measured from <paramref name="upstreamPosition"/>.</summary>
    public static WalSenderObservation Sender(string app, long flushBehind = 0, long replayBehind = 0, TimeSpan? replayLag = null,
        string state = "streaming", Lsn? upstreamPosition = null)
    {
        var position = upstreamPosition ?? Head;
        var flush = new Lsn(position.Value - (ulong)flushBehind);
        var replay = new Lsn(position.Value - (ulong)replayBehind);
        return new WalSenderObservation(app, state, "async", flush, flush, flush, replay, flushBehind, flushBehind, flushBehind, replayBehind,
            replayLag, replayLag, replayLag);
    }

    public static SlotObservation Slot(string name, bool active, long retained, string walStatus = "reserved") =>
        new(name, "physical", active, Behind(retained), walStatus, retained);

    public static NodeObservation Down(string name) => NodeObservation.Unreachable(name, "Connection refused", elapsed: TimeSpan.FromMilliseconds(2));

    /// <summary>A healthy, idle cluster with the given nodes replaced.</summary>
    public static ClusterObservation Cluster(params NodeObservation[] overrides)
    {
        var healthy = new Dictionary<string, NodeObservation>
        {
            ["pg-1"] = Primary(Sender("pg-2"), Sender("pg-3"), Sender("pg-dr")),
            ["pg-2"] = Standby("pg-2"),
            ["pg-3"] = Standby("pg-3", senders: Sender("pg-4")),
            ["pg-4"] = Standby("pg-4"),
            ["pg-dr"] = Standby("pg-dr"),
        };
        foreach (var node in overrides)
        {
            healthy[node.Node] = node;
        }

        return new ClusterObservation([.. healthy.Values], DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(5));
    }

    public static LagReport Assess(params NodeObservation[] overrides) => LagAssessment.Assess(Spec(), Cluster(overrides));

    public static ReplicaLag Replica(this LagReport report, string name) => report.Replicas.Single(r => r.Replica == name);

    public static ImmutableArray<SlotRetention> SlotsOf(this LagReport report, string node) => [.. report.Slots.Where(s => s.Node == node)];
}
