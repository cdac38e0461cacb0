using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// The DNS of the endpoints, as network aliases that Docker's embedded DNS resolves (and round-robins when several
/// containers share one): every node's own name (in its container's definition), the write name on the current primary and the read name
/// on the replicas (<see cref="EndpointsOf"/>: create-only, then moved by pgha's operations).
/// </summary>
public static class NetworkAliases
{
    /// <summary>The node's own name: the only alias in its container's definition, the same whichever node is primary.</summary>
    public static ImmutableArray<string> For(ClusterSpec spec, NodeSpec node) => [ClusterPlacement.DockerHostName(spec, node)];

    /// <summary>
    /// The endpoint names <paramref name="node"/> answers for while <paramref name="spec"/> holds: the write name on
    /// the primary, the read name where reads are served. Given at creation (create-only) and moved by pgha's
    /// operations afterwards, never by a change of the container's definition.
    /// </summary>
    public static ImmutableArray<string> EndpointsOf(ClusterSpec spec, NodeSpec node)
    {
        var aliases = ImmutableArray.CreateBuilder<string>();
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
