using System.Globalization;
using PgHaInfra.Deployment;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Docker;

/// <summary>
/// The shell scripts run in a node's stopped data (a maintenance container on its volume) or in its running container:
/// pure text, so the steps read as they run. Everything in the data directory is written as the server's OS user.
/// </summary>
public static class VolumeScripts
{
    /// <summary>Where the maintenance container finds the passfiles copied into it (root's 0600 until handed to postgres).</summary>
    public const string SecretsDirectory = "/tmp/pgha";

    public const string SuperuserPassfile = SecretsDirectory + "/superuser.pgpass";

    public const string ReplicationPassfile = SecretsDirectory + "/replication.pgpass";

    /// <summary>The node's uploaded postgresql.conf, copied in: pg_rewind's single-user crash recovery must run on it (wal_log_hints).</summary>
    public const string ServerConf = SecretsDirectory + "/postgresql.conf";

    /// <summary>The variable an exec passes the role settings in (no secret is in them: the conninfo names a passfile).</summary>
    public const string RoleVariable = "PGHA_ROLE_CONF";

    private static string Q(string value) => NodeStartScript.Quote(value);

    public static string Prelude(ClusterSpec spec) =>
        "set -eu\n" +
        $"bin={Q(ContainerLayout.BinDirectory(spec))}\n" +
        $"data={Q(ContainerLayout.DataDirectory)}\n" +
        $"as_postgres() {{ setpriv --reuid={ContainerLayout.ServerUser} --regid={ContainerLayout.ServerUser} --init-groups -- \"$@\"; }}\n" +
        $"put() {{ printf '%s' \"$2\" > \"$1.new\"; chown {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} \"$1.new\"; chmod 0600 \"$1.new\"; sync \"$1.new\"; mv \"$1.new\" \"$1\"; sync \"$data\"; }}\n" +
        $"if [ -d {Q(SecretsDirectory)} ]; then chown -R {ContainerLayout.ServerUser}:{ContainerLayout.ServerUser} {Q(SecretsDirectory)}; fi\n";

    /// <summary>Prints pg_controldata's cluster state and latest checkpoint as two "pgha:" lines.</summary>
    public static string ControlData(ClusterSpec spec) => Prelude(spec) +
        "if [ ! -s \"$data/PG_VERSION\" ]; then echo 'pgha: state: none'; exit 0; fi\n" +
        "as_postgres \"$bin/pg_controldata\" -D \"$data\" | sed -n -e 's/^Database cluster state: *\\(.*\\)$/pgha: state: \\1/p' -e 's/^Latest checkpoint location: *\\(.*\\)$/pgha: checkpoint: \\1/p'\n";

    /// <summary>standby.signal first, then the marker saying why: a node marked fenced always starts read-only.</summary>
    public static string Fence(ClusterSpec spec, string reason) => Prelude(spec) +
        "if [ ! -s \"$data/PG_VERSION\" ]; then echo 'pgha: no data'; exit 0; fi\n" +
        $"put \"$data/{NodeFiles.StandbySignal}\" {Q(NodeStartScript.StandbySignalContent)}\n" +
        $"put {Q(ContainerLayout.FenceMarker)} \"$(date -u +%Y-%m-%dT%H:%M:%SZ) {reason.Replace("\"", "'", StringComparison.Ordinal)}\"\n" +
        "echo 'pgha: fenced'\n";

    /// <summary>The role settings in place, the fence lifted, and standby.signal gone only for a primary.</summary>
    public static string Install(ClusterSpec spec, NodeSpec node, bool liftFence) => Prelude(spec) +
        $"put {Q(ContainerLayout.RoleConf)} \"${RoleVariable}\"\n" +
        (liftFence ? $"rm -f {Q(ContainerLayout.FenceMarker)}\n" + (spec.IsPrimary(node) ? $"rm -f \"$data/{NodeFiles.StandbySignal}\"\n" : "") + "sync \"$data\"\n" : "");

    /// <summary>
    /// pg_rewind from the upstream, as the local engine does it: a killed node's crash recovery (pg_rewind's
    /// single-user run) refuses standby.signal, so only then is it taken away, and put back whatever happens.
    /// Exit 0 with pg_rewind's output, 3 with no data, 4 when pg_rewind failed (nothing deleted).
    /// </summary>
    public static string Rewind(ClusterSpec spec, NodeSpec upstream) => Prelude(spec) +
        "if [ ! -s \"$data/PG_VERSION\" ]; then echo 'pgha: no data'; exit 3; fi\n" +
        "if [ -e \"$data/backup_label\" ]; then echo 'pgha: servers diverged: completing an earlier pg_rewind (backup_label present)'; exit 0; fi\n" +
        "state=$(as_postgres \"$bin/pg_controldata\" -D \"$data\" | sed -n 's/^Database cluster state: *//p')\n" +
        // The node's own container is stopped (pgha stopped or killed it), so a postmaster.pid left by the killed server
        // is stale; in this container its pid may belong to a live process, which the single-user run would take for a server.
        $"case \"$state\" in 'shut down'|'shut down in recovery') ;; *) rm -f \"$data/{NodeFiles.StandbySignal}\" \"$data/postmaster.pid\";; esac\n" +
        "set +e\n" +
        $"as_postgres \"$bin/pg_rewind\" --target-pgdata=\"$data\" --config-file={Q(ServerConf)} --source-server={Q(SourceConnInfo(spec, upstream, spec.Replication.Superuser, SuperuserPassfile, "postgres", "pgha_rewind"))} 2>&1\n" +
        "rc=$?\nset -e\n" +
        $"put \"$data/{NodeFiles.StandbySignal}\" {Q(NodeStartScript.StandbySignalContent)}\n" +
        "if [ \"$rc\" -ne 0 ]; then echo \"pgha: pg_rewind exited $rc\"; exit 4; fi\n";

    /// <summary>
    /// A fresh base backup from the upstream through the node's slot, made beside the data and moved into place only
    /// when complete; the old data is deleted only then. Run only with the operator's consent (--allow-reclone).
    /// </summary>
    public static string Reclone(ClusterSpec spec, NodeSpec node, NodeSpec upstream) => Prelude(spec) +
        "new=\"$data.new\"\nrm -rf \"$new\"\n" +
        $"install -d -o {ContainerLayout.ServerUser} -g {ContainerLayout.ServerUser} -m 0700 \"$new\"\n" +
        $"as_postgres \"$bin/pg_basebackup\" --pgdata=\"$new\" --dbname={Q(SourceConnInfo(spec, upstream, spec.Replication.User, ReplicationPassfile, null, $"pgha_clone_{node.SlotName}"))} " +
        $"--no-password --wal-method=stream --slot={Q(node.SlotName)} --checkpoint=fast 2>&1\n" +
        $"put \"$new/{NodeFiles.StandbySignal}\" {Q(NodeStartScript.StandbySignalContent)}\n" +
        "rm -rf \"$data\"\nmv \"$new\" \"$data\"\nsync \"$(dirname \"$data\")\"\n";

    /// <summary>After a rewind or a clone: this node's role settings, an empty postgresql.auto.conf (pg_rewind copied the source's), no fence.</summary>
    public static string AfterRejoin(ClusterSpec spec) => Prelude(spec) +
        $"put {Q(ContainerLayout.RoleConf)} \"${RoleVariable}\"\n" +
        "put \"$data/postgresql.auto.conf\" '# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n'\n" +
        $"put \"$data/{NodeFiles.StandbySignal}\" {Q(NodeStartScript.StandbySignalContent)}\n" +
        $"rm -f {Q(ContainerLayout.FenceMarker)}\nsync \"$data\"\n";

    private static string SourceConnInfo(ClusterSpec spec, NodeSpec upstream, string user, string passfile, string? database, string application) => ConnInfo.Format(
    [
        new("host", ClusterPlacement.DockerHostName(spec, upstream)),
        new("port", ClusterPlacement.ContainerPort.ToString(CultureInfo.InvariantCulture)),
        new("user", user),
        .. database is null ? Array.Empty<KeyValuePair<string, string>>() : [new KeyValuePair<string, string>("dbname", database)],
        new("passfile", passfile),
        new("connect_timeout", "5"),
        new("application_name", application),
    ]);
}
