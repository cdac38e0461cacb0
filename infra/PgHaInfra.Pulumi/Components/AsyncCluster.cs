using System.Collections.Immutable;
using PgHaInfra.Spec;
using Pulumi;

namespace PgHaInfra.Pulumi.Components;

/// <summary>Topology async: a primary and asynchronous streaming replicas, each through its own slot on the primary.</summary>
public sealed class AsyncCluster : PostgresCluster
{
    public const string Type = "pgha:index:AsyncCluster";

    public AsyncCluster(string name, ClusterArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, Topology.Async, args, options)
    {
        var outputs = CommonOutputs();
        outputs["replicas"] = Spec.Replicas.Select(r => r.Name).ToImmutableArray();
        outputs["slots"] = Spec.Replicas.ToImmutableSortedDictionary(r => r.Name, r => r.SlotName, StringComparer.Ordinal);
        RegisterOutputs(outputs);
    }
}
