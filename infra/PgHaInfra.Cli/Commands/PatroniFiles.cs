using System.Collections.Immutable;
using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Rendering;
using PgHaInfra.Rendering.Patroni;
using PgHaInfra.Spec;

namespace PgHaInfra.Cli.Commands;

/// <summary>`pgha render` in patroni mode: each node's patroni.yml beside its other files, and haproxy.cfg with the first node.</summary>
internal static class PatroniFiles
{
    public static ImmutableArray<NodeFiles> WithPatroni(ClusterSpec spec, string target, ImmutableArray<NodeFiles> nodes, CliConsoles consoles)
    {
        if (!spec.Failover.IsPatroni)
        {
            return nodes;
        }

        if (target != "local")
        {
            consoles.ErrorLine($"render: stack {spec.Stack} is in patroni mode, which the local engine runs: patroni.yml and haproxy.cfg are rendered with --target local");
            return nodes;
        }

        var state = StateLayout.For(spec.Stack);
        var layout = new PatroniLayout(state.Exists ? state : new StateLayout("<state>"));
        var placement = layout.Placement(spec, "<the located PostgreSQL bin directory>");
        return [.. nodes.Select((n, i) => n with
        {
            Files =
            [
                .. n.Files,
                new RenderedFile(PatroniConfig.FileName, PatroniConfig.Render(spec, placement, n.Node)),
                .. i == 0 && spec.Failover.Patroni!.Haproxy is not null ? [new RenderedFile(HaproxyConfig.FileName, HaproxyConfig.Render(spec, placement))] : ImmutableArray<RenderedFile>.Empty,
            ],
        })];
    }
}
