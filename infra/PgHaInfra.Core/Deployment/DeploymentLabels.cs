using System.Collections.Immutable;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>The labels every Docker object of a deployment carries, so that tools find a stack's objects by them.</summary>
public static class DeploymentLabels
{
    public const string Cluster = "pgha.cluster";
    public const string Stack = "pgha.stack";
    public const string Node = "pgha.node";

    /// <summary>What kind of object: network, volume or container.</summary>
    public const string Kind = "pgha.kind";

    public static ImmutableSortedDictionary<string, string> For(ClusterSpec spec, string kind, NodeSpec? node = null)
    {
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels[Cluster] = spec.Name;
        labels[Stack] = spec.Stack;
        labels[Kind] = kind;
        if (node is not null)
        {
            labels[Node] = node.Name;
        }

        return labels.ToImmutable();
    }
}
