using System.Collections.Immutable;

namespace PgHaInfra.Operations.Lag;

/// <summary>One probe of every node of a cluster, taken concurrently.</summary>
public sealed record ClusterObservation(ImmutableArray<NodeObservation> Nodes, DateTimeOffset ObservedAt, TimeSpan Elapsed)
{
    public NodeObservation Node(string name) =>
        Nodes.FirstOrDefault(n => n.Node == name) ?? NodeObservation.Unreachable(name, "not probed", TimeSpan.Zero);
}
