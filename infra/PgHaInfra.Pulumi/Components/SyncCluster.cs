using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using Pulumi;

namespace PgHaInfra.Pulumi.Components;

/// <summary>
/// Topology sync: synchronous replication, FIRST k (priority) or ANY k (quorum), over replicas of the primary.
/// Cascading and delayed replicas may sit beside the synchronous ones, asynchronously.
/// </summary>
public sealed class SyncCluster : PostgresCluster
{
    public const string Type = "pgha:index:SyncCluster";

    public SyncCluster(string name, ClusterArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, Topology.Sync, args, options)
    {
        var sync = Spec.Synchronous ?? throw new ArgumentException($"stack {Spec.Stack} has topology sync but no synchronous settings", nameof(args));
        var outputs = CommonOutputs();
        outputs["replicas"] = Spec.Replicas.Select(r => r.Name).ToImmutableArray();
        outputs["synchronousStandbyNames"] = PostgresConf.SynchronousStandbyNames(sync, Spec);
        outputs["synchronousCommit"] = sync.Commit;
        RegisterOutputs(outputs);
    }
}
