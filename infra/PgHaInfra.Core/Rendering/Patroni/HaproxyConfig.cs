using System.Globalization;
using System.Text;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering.Patroni;

/// <summary>
/// Renders haproxy.cfg: a write port whose only healthy server is the node whose Patroni answers 200 on /primary,
/// and a read port over the nodes that answer 200 on /replica (running, streaming, not noloadbalance). Routing
/// follows Patroni's own view, so a failover moves the ports within one check interval.
/// </summary>
public static class HaproxyConfig
{
    public const string FileName = "haproxy.cfg";

    /// <summary>How often HAProxy asks each Patroni; two failures mark a server down and close its sessions.</summary>
    public const string CheckInterval = "500ms";

    public static string Render(ClusterSpec spec, PatroniPlacement placement)
    {
        var patroni = spec.Failover.Patroni ?? throw new ArgumentException($"stack {spec.Stack} is not in patroni mode", nameof(spec));
        var haproxy = patroni.Haproxy ?? throw new ArgumentException($"stack {spec.Stack} has no failover.haproxy", nameof(spec));
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# haproxy.cfg for cluster \"{spec.Name}\". Rendered by pgha from stack \"{spec.Stack}\". Do not edit: pgha rewrites this file.")
            .AppendLine("# Routing follows Patroni's REST health checks: /primary answers 200 only on the leader, /replica only on healthy replicas.")
            .AppendLine("global")
            .AppendLine("    maxconn 256")
            .AppendLine()
            .AppendLine("defaults")
            .AppendLine("    mode tcp")
            .AppendLine("    retries 2")
            .AppendLine("    timeout connect 2s")
            .AppendLine("    timeout client 30m")
            .AppendLine("    timeout server 30m")
            .AppendLine("    timeout check 1s");
        Listen(text, spec, placement, "write", haproxy.WritePort, "/primary", "first");
        Listen(text, spec, placement, "read", haproxy.ReadPort, "/replica", "roundrobin");
        return text.ToString();
    }

    private static void Listen(StringBuilder text, ClusterSpec spec, PatroniPlacement placement, string name, int port, string check, string balance)
    {
        var patroni = spec.Failover.Patroni!;
        text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"listen {spec.Name}-{name}")
            .AppendLine(CultureInfo.InvariantCulture, $"    bind {placement.Host}:{port}")
            .AppendLine(CultureInfo.InvariantCulture, $"    balance {balance}")
            .AppendLine(CultureInfo.InvariantCulture, $"    option httpchk GET {check}")
            .AppendLine("    http-check expect status 200")
            .AppendLine(CultureInfo.InvariantCulture, $"    default-server inter {CheckInterval} fall 2 rise 1 on-marked-down shutdown-sessions");
        foreach (var node in spec.Nodes)
        {
            var address = placement.Postgres.AddressOf(node);
            text.AppendLine(CultureInfo.InvariantCulture, $"    server {node.Name} {address.Host}:{address.Port} check port {patroni.RestPortOf(spec, node)}");
        }
    }
}
