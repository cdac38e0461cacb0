using PgHaInfra.Spec;
using Pulumi;

namespace PgHaInfra.Pulumi.Components;

/// <summary>Topology single: one primary, whose WAL settings are already those of a cluster with replicas.</summary>
public sealed class SingleCluster : PostgresCluster
{
    public const string Type = "pgha:index:SingleCluster";

    public SingleCluster(string name, ClusterArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, Topology.Single, args, options)
    {
        var outputs = CommonOutputs();
        outputs["replicas"] = Array.Empty<string>();
        RegisterOutputs(outputs);
    }
}
