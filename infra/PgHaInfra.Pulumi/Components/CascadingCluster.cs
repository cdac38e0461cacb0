using System.Collections.Immutable;
using PgHaInfra.Spec;
using Pulumi;

namespace PgHaInfra.Pulumi.Components;

/// <summary>Topology cascading: asynchronous replicas, some streaming from another replica; each waits for its upstream.</summary>
public sealed class CascadingCluster : PostgresCluster
{
    public const string Type = "pgha:index:CascadingCluster";

    public CascadingCluster(string name, ClusterArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, Topology.Cascading, args, options)
    {
        var outputs = CommonOutputs();
        outputs["replicas"] = Spec.Replicas.Select(r => r.Name).ToImmutableArray();
        outputs["upstreams"] = Spec.Replicas.ToImmutableSortedDictionary(r => r.Name, r => Spec.UpstreamOf(r)!.Name, StringComparer.Ordinal);
        RegisterOutputs(outputs);
    }
}
