using System.Collections.Immutable;

namespace PgHaInfra.Operations.Replication;

/// <summary>One probe of a cluster's nodes, taken concurrently: the input to every pure judgement over replication.</summary>
public sealed record ClusterObservation(ImmutableArray<NodeObservation> Nodes, DateTimeOffset ObservedAt, TimeSpan Elapsed)
{
    /// <summary>The node's observation; a node the probe did not ask counts as unreachable.</summary>
    public NodeObservation Node(string name) =>
        Nodes.FirstOrDefault(n => n.Node == name) ?? NodeObservation.Unreachable(name, "not observed");

    /// <summary>How <paramref name="upstream"/> sees <paramref name="downstream"/> in its pg_stat_replication, if at all.</summary>
    public WalSenderObservation? ReplicationOf(string upstream, string downstream) => Node(upstream).SenderFor(downstream);

    /// <summary>Whether any upstream reports <paramref name="downstream"/> as a sync or quorum standby.</summary>
    public bool IsReportedSynchronous(string downstream) =>
        Nodes.Any(n => n.WalSenders.Any(s => s.ApplicationName == downstream && s.IsSynchronous));

    /// <summary>Whether any upstream reports any synchronous standby at all.</summary>
    public bool AnyReportedSynchronous => Nodes.Any(n => n.WalSenders.Any(s => s.IsSynchronous));
}
