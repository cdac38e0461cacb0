using System.Collections.Immutable;

namespace PgHaInfra.Operations.Failover;

/// <summary>Every node's answer at one moment: the input to the pure planning functions.</summary>
public sealed record ClusterObservation(
    DateTimeOffset At,
    ImmutableDictionary<string, NodeObservation> Nodes,
    ImmutableArray<ReplicationObservation> Replication)
{
    public NodeObservation this[string node] =>
        Nodes.TryGetValue(node, out var observation) ? observation : NodeObservation.Unreachable(node, "not observed");

    /// <summary>How <paramref name="upstream"/> sees <paramref name="downstream"/> in its pg_stat_replication, if at all.</summary>
    public ReplicationObservation? ReplicationOf(string upstream, string downstream) =>
        Replication.FirstOrDefault(r => r.Upstream == upstream && r.ApplicationName == downstream);

    /// <summary>Whether any upstream reports <paramref name="downstream"/> as a sync or quorum standby.</summary>
    public bool IsReportedSynchronous(string downstream) =>
        Replication.Any(r => r.ApplicationName == downstream && r.IsSynchronous);
}
