using System.Globalization;
using System.Text;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// Renders the script each container starts with, as root. It works on any image with PostgreSQL in
/// /usr/lib/postgresql/VERSION/bin and util-linux's setpriv (the official postgres image and Debian's postgresql-15
/// alike), and relies on no entrypoint, gosu or POSTGRES_* variable of either.
/// On an empty volume it makes the node as declared: initdb for the primary, pg_basebackup through its slot for a
/// replica (which then gets standby.signal). On a volume that already holds data it changes nothing about the role:
/// a node comes up as what its data says (standby.signal present or not), so a failover is never undone by a restart
/// or a re-deployment. Only the first bootstrap follows the declared primary.
/// Pure text, uploaded like the other rendered files, so a pull request shows it in the diff.
/// </summary>
public static class NodeStartScript
{
    /// <summary>How long a replica keeps trying pg_basebackup while its upstream comes up or its slot appears.</summary>
    public static readonly TimeSpan CloneDeadline = TimeSpan.FromMinutes(5);

    /// <summary>How long the bootstrap job waits for the server before it gives up (and says so in the log).</summary>
    public static readonly TimeSpan BootstrapDeadline = TimeSpan.FromMinutes(5);

    /// <summary>What the standby.signal this script writes says; PostgreSQL only looks at whether the file exists.</summary>
    public const string StandbySignalContent = "# pgha: this data directory is a standby; its upstream is in primary_conninfo.\n";

    public static string Render(ClusterSpec spec, NodeSpec node)
    {
        var placement = ClusterPlacement.DockerNetwork(spec);
        var upstream = spec.UpstreamOf(node);
        var role = upstream is null ? "primary" : $"replica of {upstream.Name}";
        var port = ClusterPlacement.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("#!/bin/sh");
        Line($"# Start script of {node.Name} (declared: {role}) in cluster \"{spec.Name}\". Rendered by pgha from stack \"{spec.Stack}\"; do not edit.");
        Line("# Runs as root, prepares the data directory, then runs the server command (\"$@\") as the OS user postgres.");
        Line("set -eu");
        Line($"bin={Quote(ContainerLayout.BinDirectory(spec))}");
        Line($"conf={Quote(ContainerLayout.ConfigDirectory)}");
        Line($"data={Quote(ContainerLayout.DataDirectory)}");
        Line($"passfile={Quote(ContainerLayout.Passfile)}");
        Line($"log() {{ echo \"pgha: {node.Name}: $*\" >&2; }}");
        Line("now() { date +%s; }");
        Line($"as_postgres() {{ setpriv --reuid={ContainerLayout.ServerUser} --regid={ContainerLayout.ServerUser} --init-groups -- \"$@\"; }}");
        Line("cd /");
        Line();
        Line("# Uploaded as root's; the server's OS user must read them, and libpq ignores a passfile others can read.");
        Line($"chown {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} \"$passfile\" \"$conf/{NodeFiles.BootstrapSql}\" {Quote(ContainerLayout.SuperuserSql)}");
        Line($"chmod 0600 \"$passfile\" \"$conf/{NodeFiles.BootstrapSql}\" {Quote(ContainerLayout.SuperuserSql)}");
        Line($"install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 2775 {Quote(ContainerLayout.SocketDirectory)}");
        Line($"install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 0700 {Quote(ContainerLayout.VolumeDirectory)}");
        Line();
        Line("# Only an empty volume follows the declaration; existing data keeps the role it has.");
        Line("if [ -s \"$data/PG_VERSION\" ]; then");
        Line("  if [ -e \"$data/standby.signal\" ]; then log \"existing data: starting as a standby\"; else log \"existing data: starting as a primary\"; fi");
        Line("else");
        Line("  # Made beside its place and moved there only when complete, so an interrupted start begins again.");
        Line("  new=\"$data.new\"");
        Line("  rm -rf \"$data\" \"$new\"");
        Line($"  install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 0700 \"$new\"");
        if (upstream is null)
        {
            Line("  log \"empty volume: initdb (the declared primary)\"");
            Line("  # No password here: superuser.sql sets it from its verifier on every start, so a replaced one arrives too.");
            Line($"  as_postgres \"$bin/initdb\" --pgdata=\"$new\" --username={Quote(spec.Replication.Superuser)} --auth-local=peer --auth-host=scram-sha-256 \\");
            Line("      --encoding=UTF8 --locale=C.UTF-8 >/dev/null");
        }
        else
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
            Line($"  log \"empty volume: pg_basebackup from {upstream.Name} through slot {node.SlotName}\"");
            Line($"  # The slot is created by {upstream.Name}'s bootstrap.sql; until it exists (or {upstream.Name} is up), retry.");
            Line($"  deadline=$(( $(now) + {seconds} ))");
            Line($"  until as_postgres \"$bin/pg_basebackup\" --pgdata=\"$new\" --dbname={Quote(conninfo)} \\");
            Line($"      --no-password --wal-method=stream --slot={Quote(node.SlotName)} --checkpoint=fast 2>/tmp/pgha-basebackup.err; do");
            Line("    if [ \"$(now)\" -ge \"$deadline\" ]; then");
            Line($"      cat /tmp/pgha-basebackup.err >&2; log \"pg_basebackup from {upstream.Name} did not succeed within {seconds} s\"");
            Line("      exit 1");
            Line("    fi");
            Line("    find \"$new\" -mindepth 1 -delete");
            Line("    sleep 0.5");
            Line("  done");
            Line("  # A standby from now on, until a promotion removes the file: the role lives in the data.");
            Line($"  printf '%s' {Quote(StandbySignalContent)} > \"$new/{NodeFiles.StandbySignal}\"");
            Line($"  chown {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} \"$new/{NodeFiles.StandbySignal}\"");
            Line($"  chmod 0600 \"$new/{NodeFiles.StandbySignal}\"");
        }

        Line("  mv \"$new\" \"$data\"");
        Line("fi");

        var bootstrapSeconds = Seconds(BootstrapDeadline);
        Line();
        Line("# bootstrap.sql is idempotent: applied on every start once the server accepts connections, so that slots for");
        Line("# replicas added later exist too. superuser.sql (the password) only changes a primary. Their commits wait for no");
        Line("# synchronous standby. The job is detached, so the container's init (not the postmaster) reaps it; it exits 0.");
        Line("(");
        Line("  (");
        Line($"    deadline=$(( $(now) + {bootstrapSeconds} ))");
        Line($"    until \"$bin/pg_isready\" -q -h {Quote(ContainerLayout.SocketDirectory)} -p {port}; do");
        Line("      if [ \"$(now)\" -ge \"$deadline\" ]; then");
        Line($"        log \"the server did not accept connections within {bootstrapSeconds} s; bootstrap.sql not applied\"");
        Line("        exit 0");
        Line("      fi");
        Line("      sleep 0.1");
        Line("    done");
        Line($"    psql() {{ as_postgres \"$bin/psql\" -X -q -v ON_ERROR_STOP=1 -h {Quote(ContainerLayout.SocketDirectory)} -p {port} -U {Quote(spec.Replication.Superuser)} -d postgres \"$@\"; }}");
        if (upstream is null)
        {
            Line("    # bootstrap.sql of a declared primary changes roles: a node whose data says standby waits for its promotion.");
            Line("    if [ \"$(psql -Atc 'SELECT pg_catalog.pg_is_in_recovery()')\" = t ]; then");
            Line("      log \"the data is a standby's: bootstrap.sql of the declared primary not applied\"");
            Line("      exit 0");
            Line("    fi");
        }

        Line($"    psql -f \"$conf/{NodeFiles.BootstrapSql}\" -f {Quote(ContainerLayout.SuperuserSql)} || log \"applying bootstrap.sql failed\"");
        Line("    exit 0");
        Line("  ) &");
        Line(")");
        Line();
        Line($"exec setpriv --reuid={ContainerLayout.ServerUser} --regid={ContainerLayout.ServerUser} --init-groups -- \"$@\"");
        return text.ToString();
    }

    private static string Seconds(TimeSpan duration) => ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>A single-quoted shell word.</summary>
    public static string Quote(string value) => $"'{value.Replace("'", @"'\''", StringComparison.Ordinal)}'";
}
