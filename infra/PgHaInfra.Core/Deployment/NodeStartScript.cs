using System.Globalization;
using System.Text;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// Renders the script each container starts with, as root. It works on any image with PostgreSQL in
/// /usr/lib/postgresql/VERSION/bin and util-linux's setpriv (the official postgres image and Debian's postgresql-15
/// alike), and relies on no entrypoint, gosu or POSTGRES_* variable of either.
/// It is the same whichever node is primary (a node's name and slot are in it, never its role). On an empty volume it
/// makes the node as the container's create-only <see cref="BootstrapDeclaration"/> says: initdb for the declared
/// primary, pg_basebackup (making its slot) for a replica, which then gets standby.signal; either writes the declared
/// role settings into the data. On a volume that already holds data it changes nothing about the role: a node comes up
/// as what its data says (standby.signal present or not), so a failover is never undone by a restart or a
/// re-deployment. Only the first bootstrap follows the declared primary.
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
        var port = ClusterPlacement.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("#!/bin/sh");
        Line($"# Start script of {node.Name} in cluster \"{spec.Name}\". Rendered by pgha from stack \"{spec.Stack}\"; do not edit.");
        Line("# The same whichever node is primary. Runs as root, prepares the data directory, then runs the server command");
        Line($"# (\"$@\") as the OS user postgres. An empty volume is made as the create-only {BootstrapDeclaration.ModeVariable} says.");
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
        var secretFiles = $"\"$passfile\" \"$conf/{NodeFiles.BootstrapSql}\" {Quote(ContainerLayout.SuperuserSql)} {Quote(ContainerLayout.SuperuserPassfile)}";
        Line($"chown {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} {secretFiles}");
        Line($"chmod 0600 {secretFiles}");
        Line($"install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 2775 {Quote(ContainerLayout.SocketDirectory)}");
        Line($"install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 0700 {Quote(ContainerLayout.VolumeDirectory)}");
        Line();
        Line("# Only an empty volume follows the declaration; existing data keeps the role it has.");
        Line("if [ -s \"$data/PG_VERSION\" ]; then");
        Line($"  if [ -e {Quote(ContainerLayout.FenceMarker)} ]; then log \"existing data, fenced ($(cat {Quote(ContainerLayout.FenceMarker)})): starting read-only until pgha rejoin\";");
        Line("  elif [ -e \"$data/standby.signal\" ]; then log \"existing data: starting as a standby\"; else log \"existing data: starting as a primary\"; fi");
        Line("else");
        Line("  # Made beside its place and moved there only when complete, so an interrupted start begins again.");
        Line("  new=\"$data.new\"");
        Line("  rm -rf \"$data\" \"$new\"");
        Line($"  install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 0700 \"$new\"");
        Line($"  case \"${{{BootstrapDeclaration.ModeVariable}:-}}\" in");
        Line($"  {BootstrapDeclaration.InitDb})");
        Line("    log \"empty volume: initdb (the declared primary)\"");
        Line("    # No password here: superuser.sql sets it from its verifier on every start, so a replaced one arrives too.");
        Line($"    as_postgres \"$bin/initdb\" --pgdata=\"$new\" --username={Quote(spec.Replication.Superuser)} --auth-local=peer --auth-host=scram-sha-256 \\");
        Line("        --encoding=UTF8 --locale=C.UTF-8 >/dev/null");
        Line("    ;;");
        Line($"  {BootstrapDeclaration.BaseBackup})");
        var conninfo = ConnInfo.Format(
        [
            new("port", port),
            new("user", spec.Replication.User),
            new("passfile", placement.PassfilePath),
            new("application_name", $"pgha_clone_{node.SlotName}"),
            new("connect_timeout", "5"),
        ]);
        var seconds = Seconds(CloneDeadline);
        Line($"    from=\"${{{BootstrapDeclaration.FromVariable}:?{BootstrapDeclaration.FromVariable} names the upstream to clone from}}\"");
        Line($"    log \"empty volume: pg_basebackup from $from, creating slot {node.SlotName} there\"");
        Line("    # The slot is made by the clone itself (on whichever node it clones from); a retry after it exists reuses it.");
        Line($"    deadline=$(( $(now) + {seconds} )); slot=--create-slot");
        Line($"    until as_postgres \"$bin/pg_basebackup\" --pgdata=\"$new\" --dbname=\"host=$from \"{Quote(conninfo)} \\");
        Line($"        --no-password --wal-method=stream $slot --slot={Quote(node.SlotName)} --checkpoint=fast 2>/tmp/pgha-basebackup.err; do");
        Line("      if grep -q 'already exists' /tmp/pgha-basebackup.err; then slot=; fi");
        Line("      if [ \"$(now)\" -ge \"$deadline\" ]; then");
        Line($"        cat /tmp/pgha-basebackup.err >&2; log \"pg_basebackup from $from did not succeed within {seconds} s\"");
        Line("        exit 1");
        Line("      fi");
        Line("      find \"$new\" -mindepth 1 -delete");
        Line("      sleep 0.5");
        Line("    done");
        Line("    # A standby from now on, until a promotion removes the file: the role lives in the data.");
        Line($"    printf '%s' {Quote(StandbySignalContent)} > \"$new/{NodeFiles.StandbySignal}\"");
        Line($"    chown {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} \"$new/{NodeFiles.StandbySignal}\"");
        Line($"    chmod 0600 \"$new/{NodeFiles.StandbySignal}\"");
        Line("    ;;");
        Line($"  *) log \"empty volume and {BootstrapDeclaration.ModeVariable}=${{{BootstrapDeclaration.ModeVariable}:-}}: expected {BootstrapDeclaration.InitDb} or {BootstrapDeclaration.BaseBackup}\"; exit 1;;");
        Line("  esac");
        Line("  # The role's settings, as declared for this first bootstrap; a clone must not keep its source's.");
        Line($"  printf '%s' \"${{{BootstrapDeclaration.RoleVariable}:-}}\" > \"$new/pgha.role.conf\"");
        Line($"  chown {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} \"$new/pgha.role.conf\"");
        Line("  mv \"$new\" \"$data\"");
        Line("fi");

        var bootstrapSeconds = Seconds(BootstrapDeadline);
        Line();
        Line("# bootstrap.sql and superuser.sql are idempotent and change only a primary (a standby skips them): applied on every");
        Line("# start once the server accepts connections, so a replaced password arrives. Their commits wait for no synchronous");
        Line("# standby. The job is detached, so the container's init (not the postmaster) reaps it; it exits 0.");
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
        Line($"    as_postgres \"$bin/psql\" -X -q -v ON_ERROR_STOP=1 -h {Quote(ContainerLayout.SocketDirectory)} -p {port} -U {Quote(spec.Replication.Superuser)} -d postgres \\");
        Line($"        -f \"$conf/{NodeFiles.BootstrapSql}\" -f {Quote(ContainerLayout.SuperuserSql)} || log \"applying bootstrap.sql failed\"");
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
