using System.Globalization;
using System.Text;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Pulumi.Containers;

/// <summary>
/// Renders the script each container starts with, as root, before the official image's entrypoint. It prepares
/// what the rendered files need (the passfile's owner and mode), clones a replica from its upstream through its slot
/// on an empty volume, applies bootstrap.sql once the server is up, and then hands the server command to the
/// image's entrypoint. Pure text, uploaded like the other rendered files, so a pull request shows it in the diff.
/// </summary>
public static class NodeStartScript
{
    /// <summary>How long a replica keeps trying pg_basebackup while its upstream comes up or its slot appears.</summary>
    public static readonly TimeSpan CloneDeadline = TimeSpan.FromMinutes(5);

    /// <summary>How long the bootstrap job waits for the server before it gives up (and says so in the log).</summary>
    public static readonly TimeSpan BootstrapDeadline = TimeSpan.FromMinutes(5);

    public static string Render(ClusterSpec spec, NodeSpec node)
    {
        var placement = ClusterPlacement.DockerNetwork(spec);
        var upstream = spec.UpstreamOf(node);
        var role = upstream is null ? "primary" : $"replica of {upstream.Name}";
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("#!/bin/sh");
        Line($"# Start script of {node.Name} ({role}) in cluster \"{spec.Name}\". Rendered by pgha from stack \"{spec.Stack}\"; do not edit.");
        Line("# Runs as root, then hands the server command (\"$@\") to the official image's entrypoint.");
        Line("set -eu");
        Line($"conf={Quote(ContainerPaths.ConfigDirectory)}");
        Line($"passfile={Quote(ContainerPaths.Passfile)}");
        Line("now() { date +%s; }");
        Line();
        Line("# libpq ignores a passfile that group or others can read, and the server's OS user must read it.");
        Line("chown postgres:postgres \"$passfile\"");
        Line("chmod 0600 \"$passfile\"");

        if (upstream is not null)
        {
            var address = placement.AddressOf(upstream);
            var conninfo = ConnInfo.Format(
            [
                new("host", address.Host),
                new("port", address.Port.ToString(CultureInfo.InvariantCulture)),
                new("user", spec.Replication.User),
                new("passfile", placement.PassfilePath),
                new("application_name", $"pgha_clone_{node.SlotName}"),
                new("connect_timeout", "5"),
            ]);
            var seconds = Seconds(CloneDeadline);
            Line();
            Line($"# An empty volume: clone {upstream.Name} through this node's slot {node.SlotName}, with the WAL the backup needs.");
            Line($"# The slot is created by {upstream.Name}'s bootstrap.sql; until it exists (or {upstream.Name} is up), retry.");
            Line("if [ ! -s \"$PGDATA/PG_VERSION\" ]; then");
            Line("  install -d -o postgres -g postgres -m 0700 \"$PGDATA\"");
            Line($"  deadline=$(( $(now) + {seconds} ))");
            Line($"  until gosu postgres pg_basebackup --pgdata=\"$PGDATA\" --dbname={Quote(conninfo)} \\");
            Line($"      --no-password --wal-method=stream --slot={Quote(node.SlotName)} --checkpoint=fast; do");
            Line("    if [ \"$(now)\" -ge \"$deadline\" ]; then");
            Line($"      echo \"pgha: {node.Name}: pg_basebackup from {upstream.Name} did not succeed within {seconds} s\" >&2");
            Line("      exit 1");
            Line("    fi");
            Line($"    echo \"pgha: {node.Name}: {upstream.Name} is not ready for pg_basebackup yet; retrying in 2 s\" >&2");
            Line("    find \"$PGDATA\" -mindepth 1 -delete");
            Line("    sleep 2");
            Line("  done");
            Line("fi");
            Line($"# The rendered standby.signal: start as a standby; primary_conninfo in postgresql.conf names {upstream.Name}.");
            Line($"install -o postgres -g postgres -m 0600 \"$conf/{NodeFiles.StandbySignal}\" \"$PGDATA/{NodeFiles.StandbySignal}\"");
        }

        var bootstrapSeconds = Seconds(BootstrapDeadline);
        Line();
        Line("# bootstrap.sql is idempotent: apply it on every start once the server accepts connections, so that slots for");
        Line("# replicas added after the first deployment exist too (the image runs docker-entrypoint-initdb.d only once).");
        Line("# TCP readiness, because during the image's first initialisation only a socket-only temporary server runs.");
        Line("# Its commits do not wait for synchronous standbys (the script says so itself). The job is detached, so that the");
        Line("# container's init (not the postmaster) reaps it; it always exits 0.");
        Line("(");
        Line("  (");
        Line($"    deadline=$(( $(now) + {bootstrapSeconds} ))");
        Line($"    until pg_isready -q -h 127.0.0.1 -p {ClusterPlacement.ContainerPort}; do");
        Line("      if [ \"$(now)\" -ge \"$deadline\" ]; then");
        Line($"        echo \"pgha: {node.Name}: the server did not accept connections within {bootstrapSeconds} s; bootstrap.sql not applied\" >&2");
        Line("        exit 0");
        Line("      fi");
        Line("      sleep 1");
        Line("    done");
        Line("    gosu postgres psql -X -q -v ON_ERROR_STOP=1 \\");
        Line($"        -h {Quote(ContainerPaths.SocketDirectory)} -p {ClusterPlacement.ContainerPort} \\");
        Line($"        -U {Quote(spec.Replication.Superuser)} -d postgres -f \"$conf/{NodeFiles.BootstrapSql}\" \\");
        Line($"      || echo \"pgha: {node.Name}: applying bootstrap.sql failed\" >&2");
        Line("    exit 0");
        Line("  ) &");
        Line(")");
        Line();
        Line($"exec {ContainerPaths.ImageEntrypoint} \"$@\"");
        return text.ToString();
    }

    private static string Seconds(TimeSpan duration) => ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>A single-quoted shell word.</summary>
    public static string Quote(string value) => $"'{value.Replace("'", @"'\''", StringComparison.Ordinal)}'";
}
