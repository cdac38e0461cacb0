namespace PgHaInfra.Local;

/// <summary>
/// Where the local engine keeps one stack's cluster. Under root: /var/lib/pgha/&lt;stack&gt; (reachable by the server
/// user, unlike /root); otherwise ${XDG_STATE_HOME:-~/.local/state}/pgha/&lt;stack&gt;. --state-dir or PGHA_STATE_DIR
/// override it.
/// <code>
/// &lt;root&gt;/state.json              engine state: primary, nodes created, versions (written atomically)
/// &lt;root&gt;/data/&lt;node&gt;/            each node's data directory
/// &lt;root&gt;/run/                    the shared unix socket directory (sockets differ by port)
/// &lt;root&gt;/logs/&lt;node&gt;.log         each server's log
/// &lt;root&gt;/secrets/                0700: superuser.password, replication.password, replication.pgpass (0600)
/// &lt;root&gt;/data/&lt;node&gt;.creating   written (fsynced) before initdb or pg_basebackup, removed once state.json records the node
/// &lt;root&gt;.lock                   beside the root, not in it (`down` deletes the root): held (flock) by the verb changing the cluster;
///                                &lt;root&gt;.lock.holder names it
/// &lt;root&gt;/backup/&lt;node&gt;/     pgbackrest.conf, log, lock and spool of each node; backup/_pgha/ for pgha's own runs
/// </code>
/// </summary>
public sealed record StateLayout(string Root)
{
    public const string DirectoryVariable = "PGHA_STATE_DIR";

    public string StateFile => Path.Combine(Root, "state.json");

    public string DataRoot => Path.Combine(Root, "data");

    public string SocketDirectory => Path.Combine(Root, "run");

    public string LogDirectory => Path.Combine(Root, "logs");

    public string SecretsDirectory => Path.Combine(Root, "secrets");

    /// <summary>pgBackRest's configuration, logs, locks and spool (the repository itself is where the stack says).</summary>
    public string BackupRoot => Path.Combine(Root, "backup");

    public string SuperuserPasswordFile => Path.Combine(SecretsDirectory, "superuser.password");

    public string ReplicationPasswordFile => Path.Combine(SecretsDirectory, "replication.password");

    /// <summary>The libpq passfile that every replica's primary_conninfo names.</summary>
    public string ReplicationPassfile => Path.Combine(SecretsDirectory, "replication.pgpass");

    /// <summary>
    /// What <see cref="StackLock"/> holds while a verb changes the cluster: beside the root, so `down`, which deletes the
    /// root, never deletes the file its own lock (or a waiting verb's) is on.
    /// </summary>
    public string LockFile => Root.TrimEnd('/') + ".lock";

    /// <summary>Who holds <see cref="LockFile"/>: pid, verb and since when.</summary>
    public string LockHolderFile => LockFile + ".holder";

    /// <summary>
    /// pgha's mark that it is making this node's data directory (initdb or pg_basebackup cannot run in a non-empty
    /// directory, so the mark sits beside it). Only a directory so marked is removed without consent.
    /// </summary>
    public string CreatingMarker(string node) => Path.Combine(DataRoot, $"{node}.creating");

    public string DataDirectory(string node) => Path.Combine(DataRoot, node);

    public string LogFile(string node) => Path.Combine(LogDirectory, $"{node}.log");

    public bool Exists => File.Exists(StateFile) || Directory.Exists(DataRoot);

    /// <summary>The state directory for a stack: explicit, else PGHA_STATE_DIR, else the per-user default.</summary>
    public static StateLayout For(string stack, string? explicitRoot = null, bool? runningAsRoot = null)
    {
        if (explicitRoot is { Length: > 0 })
        {
            return new StateLayout(Path.GetFullPath(explicitRoot));
        }

        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            return new StateLayout(Path.GetFullPath(Path.Combine(fromEnvironment, stack)));
        }

        return new StateLayout(Path.Combine(DefaultBase(runningAsRoot ?? Libc.GetEffectiveUserId() == 0), stack));
    }

    /// <summary>/var/lib/pgha for root; ${XDG_STATE_HOME:-~/.local/state}/pgha for everyone else.</summary>
    public static string DefaultBase(bool runningAsRoot)
    {
        if (runningAsRoot)
        {
            return "/var/lib/pgha";
        }

        var stateHome = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(stateHome, "pgha");
    }
}
