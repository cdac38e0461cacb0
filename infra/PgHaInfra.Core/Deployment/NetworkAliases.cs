using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// The DNS of the endpoints, as network aliases that Docker's embedded DNS resolves (and round-robins when several
/// containers share one): every node's own name, the write name on the current primary, the read name on the replicas.
/// </summary>
public static class NetworkAliases
{
    public static ImmutableArray<string> For(ClusterSpec spec, NodeSpec node)
    {
        var aliases = ImmutableArray.CreateBuilder<string>();
        aliases.Add(ClusterPlacement.DockerHostName(spec, node));
        if (spec.IsPrimary(node))
        {
            aliases.Add(spec.Endpoints.Write);
        }

        if (ServesReads(spec, node))
        {
            aliases.Add(spec.Endpoints.Read);
        }

        return aliases.ToImmutable();
    }

    /// <summary>
    /// Replicas serve reads, except delayed disaster-recovery replicas, whose data is behind by design. Without any
    /// replica that serves reads (topology single), the primary answers the read name, so that it still resolves.
    /// </summary>
    public static bool ServesReads(ClusterSpec spec, NodeSpec node) =>
        spec.IsPrimary(node) ? !spec.Replicas.Any(r => !r.IsDelayed) : !node.IsDelayed;

    /// <summary>One sentence on where the read name points, for the component's outputs.</summary>
    public static string ReadReason(ClusterSpec spec)
    {
        var readers = spec.Nodes.Where(n => ServesReads(spec, n)).Select(n => n.Name).ToList();
        var delayed = spec.Replicas.Where(r => r.IsDelayed).Select(r => r.Name).ToList();
        var text = spec.Replicas.Any(r => !r.IsDelayed)
            ? $"{spec.Endpoints.Read} resolves to the replicas {string.Join(", ", readers)}"
            : $"{spec.Endpoints.Read} resolves to the primary {spec.Primary}, because no replica serves reads";
        return delayed.Count == 0 ? text + "." : text + $"; not to the delayed replica(s) {string.Join(", ", delayed)}, whose data is behind by design.";
    }
}
