using System.Collections.Immutable;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// Splits a node's postgresql.conf for a container in two: what is the same whichever node is primary (uploaded, part
/// of the container's definition) and what depends on the role (in the data directory, written by the first
/// bootstrap and afterwards only by pgha's operations). A failover changes only the second, so the next `pulumi up`
/// finds every container's inputs unchanged and replaces none of them (the provider's uploads are ForceNew).
/// </summary>
public static class RoleConf
{
    /// <summary>The settings that follow the node's role or its upstream; every other one is role-free.</summary>
    public static readonly ImmutableHashSet<string> RoleSettings = ImmutableHashSet.Create(StringComparer.Ordinal,
        "primary_conninfo", "primary_slot_name", "recovery_target_timeline", "restore_command", "recovery_min_apply_delay",
        "synchronous_standby_names", "synchronous_commit");

    /// <summary>The uploaded postgresql.conf: role-free, and it includes the role's settings from the data directory last, so they win.</summary>
    public static string RenderUploaded(ClusterSpec spec, ClusterPlacement placement, NodeSpec node)
    {
        var settings = PostgresConf.Settings(spec, placement, node).Where(s => !RoleSettings.Contains(s.Name)).ToList();
        return PostgresConf.Format(
            $"# postgresql.conf for {node.Name} in cluster \"{spec.Name}\", target {placement.Target}.\n" +
            $"# Rendered by pgha from stack \"{spec.Stack}\". Do not edit: pgha rewrites this file.\n" +
            "# The same whichever node is primary: the role's settings live in the data directory (include at the end).\n" +
            "# Settings not listed keep PostgreSQL's defaults.\n",
            settings) +
            "\n# --- role (in the data: written by the first bootstrap, then only by pgha switchover, failover and rejoin)\n" +
            $"include_if_exists = {PostgresSetting.Quote(ContainerLayout.RoleConf)}\n";
    }

    /// <summary>The role's settings for <paramref name="node"/> in <paramref name="spec"/> (primary or replica of its upstream).</summary>
    public static string RenderRole(ClusterSpec spec, ClusterPlacement placement, NodeSpec node)
    {
        var role = spec.IsPrimary(node) ? "primary" : $"replica of {spec.UpstreamOf(node)!.Name}";
        var settings = PostgresConf.Settings(spec, placement, node).Where(s => RoleSettings.Contains(s.Name)).ToList();
        return PostgresConf.Format(
            $"# pgha.role.conf of {node.Name} ({role}) in cluster \"{spec.Name}\"; included by postgresql.conf.\n" +
            "# Written by pgha (first bootstrap, switchover, failover, rejoin); do not edit.\n",
            settings);
    }
}
