using System.Globalization;
using System.Text;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering;

/// <summary>Renders pg_hba.conf: replication only for the replication user from the cluster's own network, SCRAM everywhere.</summary>
public static class PgHba
{
    public static string Render(ClusterSpec spec, ClusterPlacement placement)
    {
        var rows = new List<(string Type, string Database, string User, string Address, string Method, string Reason)>
        {
            ("local", "all", "all", "", "peer", "the server's own OS user, over the socket, for maintenance"),
        };
        foreach (var network in placement.AllowedNetworks)
        {
            rows.Add(("host", "replication", spec.Replication.User, network, "scram-sha-256", "streaming and pg_basebackup: the replication user, from the cluster's network only"));
        }

        foreach (var network in placement.AllowedNetworks)
        {
            rows.Add(("host", "all", spec.Replication.User, network, "reject", "the replication user may stream, not query"));
            rows.Add(("host", "all", "all", network, "scram-sha-256", "clients, pg_rewind and pgha's checks, with a password"));
        }

        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# pg_hba.conf for cluster \"{spec.Name}\", target {placement.Target}. Rendered by pgha from stack \"{spec.Stack}\".")
            .AppendLine("# The first matching line decides; a connection that matches none is refused.")
            .AppendLine(CultureInfo.InvariantCulture, $"{"# TYPE",-8}{"DATABASE",-13}{"USER",-14}{"ADDRESS",-20}METHOD");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{row.Type,-8}{row.Database,-13}{row.User,-14}{row.Address,-20}{row.Method,-15}# {row.Reason}");
        }

        return text.ToString();
    }
}
